"""Metrics for edited videos: TL-ID, TG-ID, ACD (+ acd-source), identity preservation, FVD,
MSE, SSIM, flicker, attribute strength (docs/metrics.md).

Modules (nothing heavy is imported here):

* ``base``: the metric contract (``Metric``: update/compute) and the encoder interfaces.
* ``identity`` / ``frame`` / ``frechet``: the math (embeddings, frames, Gaussians -> numbers).
* ``suite`` (per-video metrics), ``fvd`` (set-level), ``attribute`` (attribute strength):
  the registered metric classes; ``video_input``: a video and its encoder outputs, computed
  once and shared by the metrics; ``embedding_cache``: source embeddings on disk by content.
* ``evaluate``: pairs of videos -> a record, through the registry; ``cli``: ``dynode metrics``;
  ``plugin``: registration of metrics, encoders and the command.
* Encoders: ``enc_dlib`` (dlib, default identity), ``enc_arcface`` (+ ``arcface_net``,
  ``face_align``), ``enc_i3d`` (+ ``i3d``, the PyTorch I3D for FVD); ``weights``: where
  weight files are looked for and their sha256.
"""
