"""Commands of the core: serve, worker, create-user, demo."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import click
import waitress
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from fieldwork import jobs
from fieldwork.accounts.accounts import AccountError, create_user
from fieldwork.accounts.passwords import WeakPassword
from fieldwork.demo import DEMO_PEOPLE, ensure_demo_project
from fieldwork.extensions import db
from fieldwork.memory import prepare_web_process
from fieldwork.operations import backup_command, check_command, restore_command
from fieldwork.processes import stop_process

WORKER_RESTART_DELAY_S = 3
PARENT_CHECK_INTERVAL_S = 2


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=16, show_default=True, type=int,
              help="Web server threads (live-update streams take at most LIVE_STREAMS).")
@click.option("--demo", is_flag=True, help="Create the demo project and print its login.")
@with_appcontext
def serve_command(host: str, port: int, threads: int, demo: bool) -> None:
    """Apply migrations, start the job worker (unless Redis is set) and serve the app."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    upgrade()
    if demo:
        print_demo_login()
    prepare_web_process()
    server = listening_server(app, host, port, threads)
    supervisor = WorkerSupervisor(app) if jobs.uses_embedded_worker(app) else None
    if supervisor is not None:
        supervisor.start()
    click.echo(f"Fieldwork is at http://{host}:{port}/  (Ctrl+C stops it)")
    try:
        server.run()
    finally:
        server.close()
        if supervisor is not None:
            supervisor.stop()


def listening_server(app: Flask, host: str, port: int, threads: int) -> Any:
    """The web server, already listening: the address printed after it answers at once.
    Each piece of a response is sent as soon as it is written (send_bytes=1): waitress would
    otherwise hold a small live-update event for up to a second, until its loop wakes."""
    try:
        return waitress.create_server(app, host=host, port=port, threads=threads,
                                      ident="Fieldwork", send_bytes=1)
    except OSError as error:
        raise click.ClickException(
            f"Fieldwork cannot listen on {host}:{port} ({error.strerror}). Another program, "
            f"or Fieldwork already running, may use that port: start it with --port {port + 1}."
        ) from None


class WorkerSupervisor:
    """Keeps one `fieldwork worker` child process running beside the web server.

    Jobs such as transcription run in the child, so one that crashes or runs out of memory
    leaves the web pages up; the supervisor starts a new worker when the old one dies.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.process: subprocess.Popen[bytes] | None = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.watch, name="worker-supervisor", daemon=True)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "fieldwork", "worker", "--exit-with-parent"]

    def environment(self) -> dict[str, str]:
        return {**os.environ, "FIELDWORK_INSTANCE_PATH": self.app.instance_path}

    def start(self) -> None:
        self.launch()
        self.thread.start()

    def launch(self) -> None:
        self.process = subprocess.Popen(self.command(), env=self.environment())
        click.echo(f"Job worker started (process {self.process.pid}).")

    def watch(self) -> None:
        while not self.stopping.wait(1):
            if self.process is not None and self.process.poll() is not None:
                click.echo(
                    f"Job worker stopped (exit code {self.process.returncode}); restarting.",
                    err=True,
                )
                if self.stopping.wait(WORKER_RESTART_DELAY_S):
                    return
                self.launch()

    def stop(self) -> None:
        self.stopping.set()
        if self.process is not None:
            stop_process(self.process, timeout=10)


def exit_when_parent_dies() -> None:
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_INTERVAL_S)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


@click.command("worker")
@click.option("--threads", type=int, default=None, help="Jobs run at once (default: setting).")
@click.option("--no-periodic", is_flag=True,
              help="Leave the scheduled jobs (recovery of stopped jobs, retention) to another "
                   "worker: start every worker but one with it.")
@click.option("--exit-with-parent", is_flag=True, hidden=True)
@with_appcontext
def worker_command(threads: int | None, no_periodic: bool, exit_with_parent: bool) -> None:
    """Run background jobs (transcription, exports, statistics) until stopped."""
    if exit_with_parent:
        exit_when_parent_dies()
    workers = threads or current_app.config["WORKER_THREADS"]
    consumer = jobs.make_consumer(workers, periodic=not no_periodic)
    schedule = "" if no_periodic else " and the scheduled jobs"
    click.echo(f"Worker consuming jobs with {workers} thread(s){schedule}.")
    consumer.run()


@click.command("create-user")
@click.argument("email")
@click.option("--name", default="", help="Shown to colleagues (default: the email).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin", is_flag=True, help="Make the account a site administrator.")
@with_appcontext
def create_user_command(email: str, name: str, password: str, admin: bool) -> None:
    """Create an account (there is no self-registration)."""
    try:
        user = create_user(email, name or email, password, is_admin=admin)
    except (AccountError, WeakPassword) as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {'administrator' if admin else 'user'} {user.email}.")


def print_demo_login() -> None:
    project, login = ensure_demo_project()
    click.echo(f"Demo project: {project.name}")
    click.echo("Demo accounts (all with the same password):")
    for email, name, role in DEMO_PEOPLE.values():
        click.echo(f"  {role:<12} {email:<32} {name}")
    click.echo("")
    click.echo(f"  Log in as:  {login.email}")
    click.echo(f"  Password:   {login.password}")
    click.echo("")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create or refresh the demo project and print its login (safe to run again)."""
    print_demo_login()


def register_commands(app: Flask) -> None:
    for command in (
        serve_command, worker_command, create_user_command, demo_command,
        backup_command, restore_command, check_command,
    ):
        app.cli.add_command(command)
