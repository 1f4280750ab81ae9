"""Chapter 4, deep reinforcement learning: MDPs and dynamic programming, tabular Q-learning,
DQN with its ablations, Double DQN and duelling networks, prioritised replay, REINFORCE with a
baseline, A2C (and PPO's objective), model-based planning with a learnt model, and DDPG for
continuous actions.

Modules: :mod:`lib.rl.mdp` (Bellman backups, policy evaluation, value and policy iteration, a
learnt tabular model), :mod:`lib.rl.tabular` (rollouts, Q-learning), :mod:`lib.rl.replay`
(replay buffer), :mod:`lib.rl.prioritised` (prioritised replay and the Blind Cliffwalk it is
measured on), :mod:`lib.rl.networks` (a population of MLPs, plain or duelling),
:mod:`lib.rl.lockstep` (the runner the deep RL agents share: environments stepped in
lockstep, episode bookkeeping, evaluations, learning curves), :mod:`lib.rl.dqn` (DQN and
Double DQN), :mod:`lib.rl.reinforce` (REINFORCE with a baseline),
:mod:`lib.rl.actor_critic` (A2C with GAE), :mod:`lib.rl.ppo` (PPO's clipped objective),
:mod:`lib.rl.model_based` (a learnt dynamics model, its open-loop errors, and random-shooting
MPC), :mod:`lib.rl.ddpg` (DDPG),
:mod:`lib.rl.evaluation` (seeded evaluation), :mod:`lib.rl.cache` (curves shared between
pages), :mod:`lib.rl.plotting`, and the clear errors on bad input: :mod:`lib.rl.checks`
(seeds, action spaces) and :mod:`lib.rl.config_checks` (the fields of every agent's
configuration).
The comparisons with stable-baselines3 are benchmarks, outside the package
(``benchmarks/rl.py``).
"""
