"""The expression DAG and the tape (the ω steps in evaluation order)."""
