"""Training: SFT of students and GRPO of teachers and baselines through TRL."""
