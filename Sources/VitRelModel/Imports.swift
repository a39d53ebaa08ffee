/// The targets the model is built on, re-exported so that each file here, and every target
/// built on the model, sees tensors, kernels and images without importing them one by one.
@_exported import VitRelCore
@_exported import VitRelImaging
