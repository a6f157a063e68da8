"""My tasks: the signed-in user's tasks open or completed in the range."""

from lib import format as fmt
from lib.ui import load_page, table

ctx, data = load_page("my_tasks")
table(data["tasks"], "my_tasks", formats={"due": fmt.timestamp, "completed": fmt.timestamp},
      empty_message="You have no open tasks and none completed in this range.")  # fmt: skip
