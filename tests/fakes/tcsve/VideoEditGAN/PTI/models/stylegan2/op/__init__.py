"""Our test double (our own code) of VideoEditGAN's PTI/models/stylegan2/op: the real package compiles
CUDA kernels when imported
(torch.utils.cpp_extension.load), so on a machine without CUDA the import itself fails."""
raise OSError("CUDA_HOME environment variable is not set. Please set it to your CUDA install root.")
