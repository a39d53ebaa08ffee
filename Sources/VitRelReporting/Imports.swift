/// The targets the documents are built on: pictures and the evaluation results they print,
/// re-exported to every file here.
@_exported import VitRelRendering
@_exported import VitRelTraining
