"""The contributor docs: complete (every code, command and option), generated where
they can drift, and true (following the data-repository guide gives a working repository)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import markdown  # MkDocs' own Markdown, as the site renders pages
import pytest
import yaml
from click.testing import CliRunner

from generator import models
from generator.cli import main
from generator.problems import CODES
from generator.reference import ERRORS_PAGE, FIELDS_PAGE, error_reference, field_reference, reference_pages

from .test_scaffold import fill

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GUIDE = DOCS / "dong-gop" / "kho-du-lieu.md"
COMMANDS_PAGE = DOCS / "dong-gop" / "lenh.md"
WORKFLOW = ROOT / ".github" / "workflows" / "catalogue.yml"


def commands(group: click.Group, prefix: str = "catalogue") -> Iterator[tuple[str, click.Command]]:
    """Every leaf command of the CLI with its full name, e.g. 'catalogue import dichvucong'."""
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}", command


def command_sections() -> dict[str, str]:
    """'## catalogue X' heading of the commands page → the text of its section."""
    text = COMMANDS_PAGE.read_text(encoding="utf-8")
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


@pytest.mark.parametrize(("name", "command"), list(commands(main)), ids=lambda x: x if isinstance(x, str) else "")
def test_every_command_and_option_is_documented_in_its_section(name: str, command: click.Command) -> None:
    sections = command_sections()
    assert name in sections, f"docs/dong-gop/lenh.md thiếu mục '## {name}'"
    options = [opt for p in command.params if isinstance(p, click.Option) for opt in p.opts if opt.startswith("--")]
    missing = [opt for opt in options if opt != "--help" and f"`{opt}" not in sections[name]]
    assert missing == [], f"{name}: tùy chọn chưa có trong docs: {missing}"


def test_the_commands_page_documents_no_command_that_does_not_exist() -> None:
    assert set(command_sections()) == {name for name, _ in commands(main)}


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_error_code_is_in_the_error_reference_with_its_bad_and_good_example(code: str) -> None:
    page = error_reference()
    doc = CODES[code]
    section = page.split(f"\n## {code}\n", 1)[1].split("\n## ", 1)[0]
    assert doc.title in section
    bad, good = section.split("Đúng:", 1)
    assert f"```yaml\n{doc.bad or '# (tệp rỗng)'}\n```" in bad
    assert f"```yaml\n{doc.good}\n```" in good
    for more_bad, more_good in doc.more:
        assert f"Sai:\n\n```yaml\n{more_bad}\n```\n\nĐúng:\n\n```yaml\n{more_good}\n```" in section
    assert f"[{code}](#{code.lower()})" in page


def test_every_model_field_is_in_the_field_reference() -> None:
    page = field_reference()
    for model in (models.Procedure, models.Channel, models.Fee, models.ProcessingTime, models.Document,
                  models.Form, models.LegalBasis, models.Agency, models.Target, models.UsageRecord):
        section = page.split(f"\n## {model.__name__}\n", 1)[1].split("\n## ", 1)[0]
        assert [f"| `{name}` |" in section for name in model.model_fields] == [True] * len(model.model_fields)


def test_placeholders_in_the_field_reference_show_as_text_not_as_tags() -> None:
    page = markdown.markdown(field_reference(), extensions=["tables"])
    assert "procedures/&lt;agency-id&gt;/" in page
    assert "<agency-id>" not in page


def test_reference_pages_are_generated_not_committed_and_in_the_nav() -> None:
    assert set(reference_pages()) == {FIELDS_PAGE, ERRORS_PAGE}
    assert not (DOCS / FIELDS_PAGE).exists() and not (DOCS / ERRORS_PAGE).exists()
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert FIELDS_PAGE in nav and ERRORS_PAGE in nav


def test_the_docs_link_only_to_pages_that_exist() -> None:
    generated = {Path(p).name for p in reference_pages()}
    for page in (DOCS / "dong-gop").glob("*.md"):
        for target in re.findall(r"\]\(([a-z0-9-]+\.md)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists() or target in generated, f"{page.name} → {target}"


# -- the workflow and the pre-commit hooks ------------------------------------------------


def guide_files() -> dict[str, str]:
    """Each 'Tệp `path`:' block of the data-repository guide: path → content."""
    text = GUIDE.read_text(encoding="utf-8")
    found = re.findall(r"^Tệp `([^`]+)`:\n\n```\w*\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)
    return dict(found)


def check_workflow(path: Path) -> None:
    checker = Path(sys.executable).parent / "check-jsonschema"
    done = subprocess.run([str(checker), "--builtin-schema", "vendor.github-workflows", str(path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_workflow_and_the_data_repository_caller_are_valid_github_workflows(tmp_path: Path) -> None:
    check_workflow(WORKFLOW)
    caller = tmp_path / "catalogue.yml"
    caller.write_text(guide_files()[".github/workflows/catalogue.yml"], encoding="utf-8")
    check_workflow(caller)


def test_the_workflow_is_reusable_and_passes_every_input_the_caller_gives() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key 'on' as true
    caller = yaml.safe_load(guide_files()[".github/workflows/catalogue.yml"])
    given = caller["jobs"]["catalogue"]["with"]
    assert "pull_request" in triggers
    assert set(given) <= set(triggers["workflow_call"]["inputs"])


def test_the_workflow_and_hooks_call_only_commands_that_exist() -> None:
    known = {name.split()[1] for name, _ in commands(main)}
    workflow = WORKFLOW.read_text(encoding="utf-8")
    used = set(re.findall(r"(?:run: |\n\s+)catalogue (\w+)", workflow))
    assert {"validate", "fmt", "diff"} <= used <= known
    assert "--format github" in workflow and "fmt --check" in workflow and "mkdocs build --strict" in workflow
    validate_step = next(step for step in yaml.safe_load(workflow)["jobs"]["catalogue"]["steps"]
                         if step.get("id") == "validate")
    assert validate_step["env"]["BASE"] == "${{ github.event.pull_request.base.sha }}"
    assert '--base "$BASE"' in validate_step["run"]  # E317: content changed, `updated` did not
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {h["id"] for h in hooks} == {"catalogue-validate", "catalogue-fmt"}
    assert all(h["entry"].split()[0] == "catalogue" and h["entry"].split()[1] in known for h in hooks)
    assert all(h["language"] == "python" for h in hooks)  # pre-commit pip-installs this repository


# -- following the guide from an empty folder --------------------------------------------


def guide_command(prefix: str) -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    line = next(row for row in text.splitlines() if row.startswith(prefix))
    return shlex.split(line)[1:]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed for a data repository")
def test_following_the_guide_from_an_empty_folder_gives_a_valid_previewable_repository(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "du-lieu-tthc"
    repo.mkdir()
    for name, content in guide_files().items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(content, encoding="utf-8")
    monkeypatch.chdir(repo)
    runner = CliRunner()
    assert runner.invoke(main, guide_command("catalogue schema")).exit_code == 0
    created = runner.invoke(main, guide_command("catalogue new"))
    assert created.exit_code == 0, created.output
    path = repo / "catalogue" / "procedures" / "ubnd-xa-an-binh" / "dang-ky-khai-sinh.yaml"
    assert runner.invoke(main, ["validate"]).exit_code == 1  # not filled in yet
    path.write_text(fill(path.read_text(encoding="utf-8"), prefilled=("name",)), encoding="utf-8")
    validated = runner.invoke(main, ["validate"])
    assert validated.exit_code == 0, validated.output
    assert runner.invoke(main, ["fmt", "--check"]).exit_code == 0
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                           cwd=repo, capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    pages = [p for p in (tmp_path / "site").rglob("index.html") if "Đăng ký khai sinh" in p.read_text("utf-8")]
    assert len(pages) >= 2  # the procedure's own page, and at least one index that lists it
    assert (tmp_path / "site" / "dong-gop" / "ma-loi" / "index.html").exists()
