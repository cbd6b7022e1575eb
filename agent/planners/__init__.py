"""Planners turn a request into a Plan: the rule planner (no model) and the LLM planner."""
