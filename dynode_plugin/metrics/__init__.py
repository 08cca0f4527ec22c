"""Metrics for edited videos: TL-ID, TG-ID, ACD (+ acd-source), FVD, MSE, SSIM (docs/metrics.md).

Modules (nothing heavy is imported here):

* ``identity`` / ``frame`` / ``frechet``: the math (embeddings, frames, Gaussians -> numbers).
* ``suite``: the metrics as registered classes; ``evaluate``: pairs of videos -> a record;
  ``cli``: ``dynode metrics``; ``plugin``: registration of metrics, encoders and the command.
* Encoders: ``enc_dlib`` (dlib, default identity), ``enc_arcface`` (+ ``arcface_net``,
  ``face_align``), ``enc_i3d`` (+ ``i3d``, the PyTorch I3D for FVD); ``weights``: where
  weight files are looked for and their sha256.
"""
