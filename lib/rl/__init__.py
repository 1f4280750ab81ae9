"""Chapter 4, deep reinforcement learning: MDPs and dynamic programming, tabular Q-learning,
DQN with its ablations, Double DQN and duelling networks, REINFORCE with a baseline, and
model-based planning with a learnt model.

Modules: :mod:`lib.rl.mdp` (Bellman backups, policy evaluation, value and policy iteration, a
learnt tabular model), :mod:`lib.rl.tabular` (rollouts, Q-learning), :mod:`lib.rl.replay`
(replay buffer), :mod:`lib.rl.networks` (a population of MLPs, plain or duelling),
:mod:`lib.rl.dqn` (DQN and Double DQN),
:mod:`lib.rl.reinforce`, :mod:`lib.rl.model_based`, :mod:`lib.rl.evaluation` (seeded
evaluation), :mod:`lib.rl.cache` (curves shared between pages), :mod:`lib.rl.plotting` and
:mod:`lib.rl.benchmarks` (ours vs stable-baselines3).
"""
