"""My tasks: the signed-in user's tasks open or completed in the range."""

from lib import queries
from lib.access import Forbidden
from lib.ui import forbidden, page_context, table

ctx = page_context("my_tasks")
try:
    data = queries.page_data(ctx.scope, "my_tasks", ctx.filters)
except Forbidden as error:
    forbidden(error)
table(data["tasks"], "my_tasks", empty_message="You have no open tasks and none completed in this range.")
