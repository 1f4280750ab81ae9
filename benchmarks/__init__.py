"""The book's benchmarks (``make bench``): each of our implementations measured next to the
reference library in the same run. They live outside ``lib``, so the package that students install
ships no benchmark code and does not reach for the libraries it is measured against
(stable-baselines3, Captum, torchmetrics).

Modules: :mod:`benchmarks.registry` (the registry, :class:`~benchmarks.registry.Result` rows and
the command line), :mod:`benchmarks.core` (data loading, baseline training),
:mod:`benchmarks.understanding`, :mod:`benchmarks.uncertainty`, :mod:`benchmarks.generative`,
:mod:`benchmarks.graphs` and :mod:`benchmarks.rl` (with the stable-baselines3 mappings of our
configurations). ``python -m benchmarks --help`` shows the command line.
"""
