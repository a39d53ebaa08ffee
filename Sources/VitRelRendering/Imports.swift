/// The targets pictures are built on (tensors, images, superpixel segmentations), re-exported
/// to every file here and to the targets built on this one.
@_exported import VitRelCore
@_exported import VitRelImaging
@_exported import VitRelLIME
