"""What crosses a workflow's boundary: the inputs, outputs and messages of every workflow and
activity (small pydantic models, one argument each), the names other processes call them by, and
the activities' interfaces workflows run them through (activities/ implements them).

Imports nothing of the project but domain/, so workflows, activities and the API can all share
it. The models' class and field names are what recorded histories hold: keep them."""
