"""My tasks: the signed-in user's tasks open or completed in the range."""

from lib.ui import load_page, table

ctx, data = load_page("my_tasks")
table(data["tasks"], "my_tasks", empty_message="You have no open tasks and none completed in this range.")
