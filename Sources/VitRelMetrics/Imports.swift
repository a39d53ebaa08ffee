/// The targets the metrics are built on: the model (the forwards a perturbation metric runs)
/// and the datasets (ground-truth masks), re-exported to every file here.
@_exported import VitRelModel
@_exported import VitRelData
