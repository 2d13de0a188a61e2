"""The expression language: grammar loading, parsing to a DAG, points, printing."""
