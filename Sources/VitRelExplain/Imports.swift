/// The targets the explanation methods are built on: the model (with its layers' rules) and
/// LIME, re-exported to every file here and to the targets built on this one.
@_exported import VitRelModel
@_exported import VitRelLIME
