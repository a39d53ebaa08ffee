/// The targets datasets are built on (tensors and images), re-exported to every file here and
/// to the targets built on this one.
@_exported import VitRelCore
@_exported import VitRelImaging
