/// The targets evaluation and training are built on: the model, the datasets and LIME (the
/// precision-fidelity check), re-exported to every file here.
@_exported import VitRelModel
@_exported import VitRelData
@_exported import VitRelLIME
