"""The dynode hook specifications: the whole plugin contract, documented here.

dynode-plugin uses `pluggy <https://pluggy.readthedocs.io>`_ under the project
name ``"dynode"``. A plugin is any module or object with functions decorated by
``dynode_plugin.hookimpl`` whose names match the hooks below. Plugins are found
in this order:

1. the default plugins shipped with the package (``dynode_plugin.plugins.DEFAULT_PLUGINS``:
   the core dynamics models, the built-in metrics and encoders, the toy host, and
   the STIT / Latent Transformer / TCSVE adapters) -- they are ordinary plugins;
2. third-party plugins advertised under the setuptools entry-point group ``dynode``
   (``[options.entry_points] dynode = myname = mypkg.dynode_plugin``), unless the
   environment variable ``DYNODE_DISABLE_PLUGIN_AUTOLOAD`` is set to a true value.

Registration follows that order, so a plugin found later wins an ``id`` clash: a third-party
plugin that registers ``linear`` or ``toy`` replaces the built-in one (with a warning naming
both plugins), which is how a user swaps in their own version of a default.

Every hook is a *registration* hook: dynode passes a ``register`` callable and the
plugin calls it once per thing it provides. ``register`` accepts either

* a class with a class attribute ``id`` (a short lowercase name such as ``"toy"``)
  and, optionally, ``summary`` (one line for ``dynode plugins``), or
* a lazy reference ``register(Lazy(id, "package.module:ClassName", summary))`` so that
  nothing heavy (torch models, host code, weights) is imported until that entry is
  actually used (the loaded class's ``id`` must equal the registered one). Discovery
  must stay cheap.

A plugin that raises while being imported or while registering, or that implements a
hook not listed here (pluggy's ``check_pending``), is reported with a warning (and
listed under "failed" by ``dynode plugins``); it never takes the CLI down.

``docs/plugins.md`` is generated from this module (``python -m dynode_plugin.plugin_docs``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional, Type, Union

import click
import pluggy

if TYPE_CHECKING:  # annotations only: discovery must not import torch
    from .doctor import Doctor
    from .dynamics.base import BaseDynamics
    from .hosts import Host
    from .metrics.base import Encoder
    from .plugins import Lazy

hookspec = pluggy.HookspecMarker("dynode")

# ``register(cls_or_lazy, summary=None)``: one call per thing a plugin provides.
RegisterHost = Callable[[Union["Type[Host]", "Lazy"], Optional[str]], None]
RegisterDynamics = Callable[[Union["Type[BaseDynamics]", "Lazy"], Optional[str]], None]
RegisterMetric = Callable[[Union[type, "Lazy"], Optional[str]], None]
RegisterEncoder = Callable[[Union["Type[Encoder]", "Lazy"], Optional[str]], None]
RegisterDoctor = Callable[[Union["Type[Doctor]", "Lazy"], Optional[str]], None]


@hookspec
def dynode_register_hosts(register: RegisterHost) -> None:
    """Register host classes: the host steps around the dynamics model.

    A host subclasses :class:`dynode_plugin.hosts.Host` and implements the host contract:
    ``read(source, select=None)`` returns a :class:`~dynode_plugin.hosts.Clip` (latents
    ``[N, *shape]``, times, observed mask: frames it inverts itself, only the selected
    ones, or the files an earlier host step wrote); ``edit_names()`` and
    ``edit(latents, name, strength)``; ``write(result, out, force)`` writes the edited
    latents in the host's own format (rendering where it can). Optional: ``check(edits)``
    (fail before any fit), ``finish(clip, edited)``, ``invert``/``synthesize`` for hosts
    that work on pixels, ``fit_loss(clip)`` (an extra loss for the dynamics fit, e.g. pixel
    MSE through the host's generator: the toy host's), ``unobserved_loss(clip)`` (a
    :class:`~dynode_plugin.dynamics.unobserved_loss.FrameLoss`: the same kind of loss at the frames
    that have pixels but no inverted code, scored on the model's predictions there; the toy
    host's), and ``cli_options()``: the ``click.Option`` objects
    ``dynode edit --host ID`` adds for this host. The built-in hosts are the toy world,
    ``latent-transformer``, ``tcsve`` and ``stit``. Its ``id`` is what
    ``dynode edit --host ID`` and ``dynode batch --host ID`` accept: a new host needs
    no change to dynode's own files.

    Example::

        @hookimpl
        def dynode_register_hosts(register):
            register(Lazy("myhost", "my_pkg.host:MyHost", "my GAN + inverter"))
    """


@hookspec
def dynode_register_dynamics(register: RegisterDynamics) -> None:
    """Register dynamics models: classes with the :class:`DynamicsModel` API.

    A dynamics model has ``fit(latents, times=None, mask=None)``, ``predict(times)``,
    ``propagate(edited_first, mode=...)``, ``save(path)`` and ``load(path)``, and names
    its settings dataclass in ``settings_class``: the constructor receives the user's
    values (``--steps``, ``dynode_steps`` in STIT's configs, ...) for the fields it
    declares. The neural ODE (``ode``) and the baselines (``linear``, ``spline``) are
    registered by the default plugin ``dynode_plugin.dynamics.plugin``; ``--model ID``
    on the CLI picks one.
    """


@hookspec
def dynode_register_metrics(register: RegisterMetric) -> None:
    """Register metrics: classes that score edited videos against their sources.

    Every metric, built-in or from a plugin, follows one contract (torchmetrics' pattern,
    base class :class:`dynode_plugin.metrics.base.Metric`; per-video metrics can subclass
    :class:`~dynode_plugin.metrics.base.PerVideoMetric`):

    * class attributes: ``id`` (e.g. ``"tl-id"``), ``summary`` (one line), ``definition``
      (copied into every JSON record), ``needs`` (the kind of encoder it is built with:
      ``"identity"``, ``"video"``, ``"regressor"``, or None for pixel metrics) and
      ``per_video`` (True: ``update`` returns the pair's record; False: a set-level metric
      such as FVD);
    * ``__init__(encoder=None, **settings)``: the evaluation passes the encoder of the
      kind the metric needs and only the settings its signature names (``on_missing_face``,
      ``fvd_stride``, ``fvd_max_clips``, ``attribute``);
    * ``update(source, edited)``: one pair of :class:`dynode_plugin.metrics.video_input.Video`
      (``.frames`` ``[N,3,H,W]`` in [0, 1], ``.name``, and ``.embeddings(encoder)`` /
      ``.predictions(regressor)`` / ``.clip_features(...)``, computed once per video and
      shared by the metrics) is added to running statistics; returns
      ``{"value": float or None, ...details}`` for per-video metrics, None otherwise;
    * ``compute()``: the dataset score ``{"value": ..., ...details}`` (per-video metrics: the
      mean over videos with a value); ``reset()`` starts a new dataset.

    ``dynode metrics --metrics a,b``, ``dynode demo`` and ``dynode batch`` all score through
    this registry (``dynode_plugin.metrics.evaluate``); nothing there knows a metric by id.
    Built in: ``tl-id``, ``tg-id`` (temporal consistency, ratios to the source video),
    ``acd``, ``acd-source``, ``identity-preservation``, ``mse``, ``ssim``, ``flicker``,
    ``fvd`` and ``attribute-strength``. Definitions: docs/metrics.md.

    Example::

        @hookimpl
        def dynode_register_metrics(register):
            register(Lazy("psnr", "my_pkg.metrics:PSNR", "peak signal-to-noise ratio"))
    """


@hookspec
def dynode_register_encoders(register: RegisterEncoder) -> None:
    """Register encoders: networks that embed frames or clips for the metrics.

    Subclasses of :class:`dynode_plugin.metrics.base.Encoder` with a ``kind``: identity
    encoders (dlib ResNet, ArcFace IR-SE50, the toy world's appearance encoder) embed
    single frames (``embed``); video encoders (I3D for FVD) embed 16-frame clips
    (``embed_clips``); regressors (:class:`~dynode_plugin.metrics.base.Regressor`) predict
    named attribute values per frame (``attributes``, ``predict``) for attribute strength.
    ``dynode metrics --identity-encoder ID`` / ``--video-encoder ID`` / ``--regressor ID``
    pick by ``id``; ``batch`` is the frames (or clips) per forward pass (``--batch-size``);
    ``cache_key()`` (None by default) lets ``dynode metrics`` cache a source video's
    embeddings on disk. Heavy imports and weights must load lazily, on first use.
    """


@hookspec
def dynode_register_doctors(register: RegisterDoctor) -> None:
    """Register host doctors: what ``dynode doctor --host ID`` checks for a host.

    A doctor subclasses :class:`dynode_plugin.doctor.Doctor`: ``id`` (what ``--host``
    accepts), ``root_env`` (the variable naming the checkout when ``--root`` is not given)
    and ``checks(root)``, which yields :class:`dynode_plugin.doctor.Check` rows (ok, warn or
    fail, each non-ok row with its fix). Host knowledge stays in the adapter: the
    command is generic. The STIT, Latent Transformer and TCSVE adapters register theirs.

    Example::

        @hookimpl
        def dynode_register_doctors(register):
            register(Lazy("myhost", "my_pkg.doctor:MyHostDoctor", "checks for myhost"))
    """


@hookspec
def dynode_register_commands(cli: click.Group) -> None:
    """Add click commands or groups to the ``dynode`` command line.

    Called once when the CLI starts, with the top-level ``dynode`` group; call
    ``cli.add_command(my_group)``. Host adapters add their groups this way
    (``dynode stit``, ``dynode lt``, ``dynode tcsve``), as do ``dynode demo``,
    ``dynode edit``, ``dynode metrics`` and ``dynode batch``. Keep the module that
    defines the commands light: import heavy things inside the command body.
    """
