"""Toy tasks: procedurally generated problems with verifiable answers and R1-format solutions."""

from distill.toy.tasks.registry import SPLITS, TASKS, make_problems, write_problems

__all__ = ["SPLITS", "TASKS", "make_problems", "write_problems"]
