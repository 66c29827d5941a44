"""Data made by seeded scripts with a documented truth: the synthetic default calibrated
to every published table (`synth`), the second example evaluation (`example_data`), and the
estimator study's simulated evaluations (`simulate`) and their fits against the truth
(`simstudy`)."""
