"""Unanswered-question insights: scrubbing identifiers from kept questions (scrubbing) and grouping similar
questions for staff (grouping)."""
