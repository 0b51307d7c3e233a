"""Test doubles shared by the action plugin unit tests: a fake clock and an action whose
_execute_module replays scripted module results, so a wait runs without waiting or AWS."""

from unittest.mock import MagicMock

from ansible.playbook.task import Task


class Clock:
    def __init__(self, poll_cost=0.0):
        self.now = 0.0
        self.sleeps = []
        self.poll_cost = poll_cost

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        assert seconds > 0
        self.sleeps.append(seconds)
        self.now += seconds


def lines(display):
    """The progress lines a patched Display printed."""
    return [c.args[0] for c in display.display.call_args_list]


def make_action(plugin, action_name, args, respond, clock, check_mode=False):
    """respond(module_args) -> the module result of one poll. Returns (action, calls) where calls
    lists (module_name, module_args) of every module the action executed."""
    task = MagicMock(Task)
    task.args = dict(args)
    task.async_val = 0
    task.check_mode = check_mode
    task.action = action_name
    connection = MagicMock()
    connection._shell.tmpdir = None
    action = plugin.ActionModule(task, connection, MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    calls = []

    def execute_module(module_name=None, module_args=None, task_vars=None, **_kw):
        calls.append((module_name, module_args))
        clock.now += clock.poll_cost
        return respond(module_args)

    action._execute_module = execute_module
    action._remove_tmp_path = MagicMock()
    action._clock = clock.monotonic
    action._sleep = clock.sleep
    return action, calls
