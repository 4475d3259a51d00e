"""The task list: a web service where people sign in, see what waits on them, read the
step's procedure and decide; every decision it sends is signed with its key."""
