"""The `catalogue` command. The only place, with the plugin, that prints or exits."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from pathlib import Path

import click

from . import problems as problems_mod
from .catalogue import Catalogue
from .problems import Severity

# Each command imports the stage it runs when it runs (PLC0415 is off for this
# file), so `catalogue validate` starts without loading exports, stats or diff.

FORMATS = ("text", "json", "github")
DIFF_FORMATS = ("text", "markdown", "json")
EXPORT_FORMATS = ("json", "jsonld", "csv", "portal")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Danh mục thủ tục hành chính: kiểm tra, dựng và xuất dữ liệu (procedure catalogue)."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="text | json | github (mặc định: github khi chạy trong GitHub Actions).")
@click.option("--strict", is_flag=True, help="Coi cảnh báo (warnings) là lỗi.")
@click.option("--errors-only", "-q", "errors_only", is_flag=True,
              help="Chỉ in lỗi (errors), không in cảnh báo (warnings); bản tóm tắt vẫn đếm cả hai.")
@click.option("--no-cache", is_flag=True,
              help="Không dùng bộ nhớ đệm kết quả (~/.cache/catalogue-generator): đọc lại mọi tệp.")
@click.option("--base", default=None, metavar="REF",
              help="Phiên bản git (hoặc thư mục) gốc của thay đổi: báo lỗi E317 cho thủ tục có nội dung "
                   "đổi mà updated không đổi (kiểm tra pull request).")
def validate(paths: tuple[Path, ...], fmt: str | None, *, strict: bool, errors_only: bool, no_cache: bool,
             base: str | None) -> None:
    """Kiểm tra catalogue và báo mọi lỗi trong một lần chạy.

    PATHS: thư mục catalogue (mặc định `catalogue`), hoặc tệp, thư mục bên trong nó.
    Với tệp hay thư mục con, cả catalogue vẫn được kiểm tra (mã trùng, tham chiếu
    giữa các tệp), nhưng chỉ in vấn đề của các tệp đã chọn.
    """
    from . import result_cache
    from .validate import validate as validate_catalogue

    root, chosen = _catalogue_of(paths or (Path("catalogue"),))
    fmt = fmt or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    cache = None if no_cache else result_cache.default_path()
    here = Path.cwd()
    _, found = validate_catalogue(root, base=here, cache_path=cache)
    if base is not None:
        found = sorted([*found, *_stale_problems(base, root, here)], key=problems_mod.sort_key)
    if chosen:
        found = [p for p in found if any(_inside(here / p.path, c) for c in chosen)]
    shown = [p for p in found if p.level is Severity.ERROR] if errors_only and not strict else found
    if shown:
        click.echo(problems_mod.render(shown, fmt))
    if fmt != "json":
        click.echo(problems_mod.summary(found, hidden=len(found) - len(shown)), err=True)
    failing = [p for p in found if p.level is Severity.ERROR or strict]
    sys.exit(1 if failing else 0)


def _stale_problems(since: str, root: Path, shown_from: Path) -> list[problems_mod.Problem]:
    from .diff import DiffError, stale_problems

    try:
        return stale_problems(since, root, shown_from)
    except DiffError as exc:
        raise click.UsageError(f"--base {since}: {exc}") from None


def _editor_date(given: str | None) -> dt.date | None:
    """The date an editor's command writes: --date, else SOURCE_DATE_EPOCH's day; never the clock."""
    from .catalogue import source_date

    if given is None:
        return source_date()
    try:
        return dt.date.fromisoformat(given)
    except ValueError:
        raise click.UsageError(f"--date {given}: cần ngày dạng YYYY-MM-DD") from None


def _catalogue_of(paths: tuple[Path, ...]) -> tuple[Path, list[Path]]:
    """The one catalogue the paths are in, and the files or folders chosen inside it (none: all)."""
    roots: set[Path] = set()
    chosen: list[Path] = []
    for path in paths:
        if not path.exists():
            raise click.UsageError(f"không tìm thấy tệp hoặc thư mục: {path}")
        resolved = path.resolve()
        root = next((d for d in (resolved, *resolved.parents) if (d / "agencies.yaml").is_file()), None)
        if root is None and resolved.is_dir() and len(paths) == 1:
            root = resolved  # a catalogue folder missing agencies.yaml: validate says so (E314)
        if root is None:
            raise click.UsageError(f"{path} không nằm trong thư mục catalogue nào (không thấy agencies.yaml ở trên nó)")
        roots.add(root)
        if resolved != root:
            chosen.append(resolved)
    if len(roots) > 1:
        raise click.UsageError("các đường dẫn thuộc nhiều catalogue khác nhau; mỗi lần chạy kiểm tra một catalogue")
    return roots.pop(), chosen


def _inside(path: Path, chosen: Path) -> bool:
    resolved = path.resolve()
    return resolved == chosen or resolved.is_relative_to(chosen)


@main.command()
@click.option("--out", type=click.Path(path_type=Path), default=Path("schema"), show_default=True,
              help="Thư mục ghi các JSON Schema.")
@click.option("--check", is_flag=True, help="Không ghi; thoát 1 nếu schema đã cũ (stale).")
def schema(out: Path, check: bool) -> None:
    """Ghi JSON Schema sinh từ mô hình dữ liệu, để trình soạn thảo gợi ý."""
    from .schema import stale_schemas, write_schemas

    if check:
        stale = stale_schemas(out)
        for name in stale:
            click.echo(f"{out / name}: đã cũ, hãy chạy 'catalogue schema'")
        sys.exit(1 if stale else 0)
    for name in write_schemas(out):
        click.echo(f"đã ghi {out / name}")


@main.command()
@click.argument("path", default="catalogue", type=click.Path(path_type=Path))
@click.option("--format", "formats", type=click.Choice(EXPORT_FORMATS), multiple=True,
              help="json (feed v1) | jsonld (CPSV-AP) | csv | portal (khóa camelCase của dự án); "
                   "lặp lại để chọn nhiều; mặc định: tất cả.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("site/api/v1"), show_default=True,
              help="Thư mục ghi (tương ứng api/v1/ của site).")
@click.option("--site-url", default=None, help="Địa chỉ gốc của site, để ghi URL tuyệt đối (absolute URLs).")
@click.option("--previous-manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="manifest.json của lần dựng trước: changes.json liệt kê thay đổi so với nó (mặc định: theo ngày).")
def export(path: Path, formats: tuple[str, ...], out: Path, site_url: str | None,
           previous_manifest: Path | None) -> None:
    """Xuất catalogue tại PATH ra JSON feed, JSON-LD, CSV hoặc dạng Cổng DVC mà không dựng site."""
    from .exports import read_manifest, write_export

    _check_out_folder(out)
    try:
        previous = read_manifest(previous_manifest) if previous_manifest else None
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    catalogue = _valid_catalogue(path)
    try:
        count = write_export(catalogue, out, formats or EXPORT_FORMATS, site_url, previous)
    except OSError as exc:
        raise click.ClickException(f"không ghi được vào {out}: {exc.strerror}") from None
    click.echo(f"đã ghi {count} tệp vào {out}")


@main.command()
@click.argument("path", default="catalogue", type=click.Path(path_type=Path))
@click.option("--agency", required=True, help="Mã cơ quan trong agencies.yaml, ví dụ ubnd-xa.")
@click.option("--code", required=True, help="Mã thủ tục quốc gia, dạng D.DDDDDD.")
@click.option("--name", default=None, help="Tên thủ tục; điền sẵn vào mẫu và đặt tên tệp theo tên này.")
@click.option("--date", "date_given", metavar="YYYY-MM-DD", default=None,
              help="Ngày cập nhật (updated) ghi vào mẫu; mặc định: ngày của SOURCE_DATE_EPOCH, không có thì để trống.")
def new(path: Path, agency: str, code: str, name: str | None, date_given: str | None) -> None:
    """Tạo tệp thủ tục mới có chú thích trong catalogue tại PATH, để điền vào."""
    from .scaffold import ScaffoldError, new_procedure

    try:
        written = new_procedure(path, agency, code, name, _editor_date(date_given))
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"đã tạo {written}")
    click.echo('Điền mọi chỗ "" trong tệp, rồi chạy: catalogue validate', err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--check", is_flag=True, help="Không ghi; liệt kê tệp cần định dạng lại và thoát 1 nếu có.")
@click.option("--set-updated", is_flag=True,
              help="Đặt updated của các tệp thủ tục trong PATHS là --date (mặc định: ngày của SOURCE_DATE_EPOCH); "
                   "với --base, chỉ những thủ tục có nội dung đổi mà updated chưa đổi.")
@click.option("--date", "date_given", metavar="YYYY-MM-DD", default=None, help="Ngày cho --set-updated.")
@click.option("--base", default=None, metavar="REF",
              help="Với --set-updated: phiên bản git (hoặc thư mục) để so, như catalogue validate --base.")
def fmt(paths: tuple[Path, ...], check: bool, set_updated: bool, date_given: str | None, base: str | None) -> None:
    """Định dạng tệp YAML theo một kiểu chuẩn (thứ tự khóa, thụt lề), giữ nguyên chú thích.

    PATHS là tệp hoặc thư mục; mặc định: catalogue.
    """
    from .yamlfmt import format_file, yaml_files

    if not paths and not Path("catalogue").is_dir():
        raise click.UsageError("không tìm thấy thư mục catalogue; hãy nêu tệp hoặc thư mục cần định dạng")
    targets = list(paths) or [Path("catalogue")]
    files = yaml_files(targets)
    dated = _files_to_date(files, tuple(targets), set_updated, base)
    day = _editor_date(date_given) if dated else None
    if dated and day is None:
        raise click.UsageError("--set-updated cần --date YYYY-MM-DD (hoặc biến môi trường SOURCE_DATE_EPOCH)")
    results = [format_file(p, write=not check, updated=day if p.resolve() in dated else None) for p in files]
    for result in results:
        if result.problem is not None:
            click.echo(result.problem.as_text())
        elif result.changed:
            click.echo(f"{result.path}: {'cần định dạng lại' if check else 'đã định dạng lại'}")
    changed = sum(r.changed for r in results)
    broken = sum(r.problem is not None for r in results)
    verb = "cần định dạng lại" if check else "đã định dạng lại"
    click.echo(f"{len(results)} tệp, {changed} {verb}, {broken} không đọc được", err=True)
    sys.exit(1 if broken or (check and changed) else 0)


def _files_to_date(files: list[Path], targets: tuple[Path, ...], set_updated: bool, base: str | None) -> set[Path]:
    """The procedure files whose `updated` fmt sets: those in PATHS, or with --base those changed since it."""
    from .diff import DiffError, stale_updated
    from .yamlfmt import model_for

    if base is not None and not set_updated:
        raise click.UsageError("--base chỉ dùng cùng --set-updated")
    if not set_updated:
        return set()
    chosen = {p.resolve() for p in files if model_for(p.resolve()) is not None and "procedures" in p.resolve().parts}
    if base is None:
        return chosen
    root, _ = _catalogue_of(targets)
    try:
        return {s.path.resolve() for s in stale_updated(base, root)} & chosen
    except DiffError as exc:
        raise click.UsageError(f"--base {base}: {exc}") from None


@main.command()
@click.argument("path", default="catalogue", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="text: các bảng như trang Thống kê | json: như api/v1/stats.json.")
def stats(path: Path, fmt: str) -> None:
    """In số liệu mức độ dịch vụ, chỉ tiêu và kế hoạch nâng cấp của catalogue tại PATH."""
    from .stats import compute as compute_stats
    from .stats import json_text as stats_json_text
    from .stats_tables import render_text as stats_render_text

    figures = compute_stats(_valid_catalogue(path))
    click.echo(stats_json_text(figures) if fmt == "json" else stats_render_text(figures), nl=False)


@main.command()
@click.argument("base")
@click.argument("head", required=False)
@click.option("--catalogue", "catalogue_path", type=click.Path(path_type=Path), default=Path("catalogue"),
              show_default=True, help="Thư mục catalogue (trong kho git khi BASE/HEAD là phiên bản git).")
@click.option("--format", "fmt", type=click.Choice(DIFF_FORMATS), default="text", show_default=True,
              help="text | markdown (bình luận pull request) | json.")
def diff(base: str, head: str | None, catalogue_path: Path, fmt: str) -> None:
    """So sánh catalogue giữa BASE và HEAD (phiên bản git hoặc thư mục), từng thủ tục một.

    Thiếu HEAD thì so với thư mục làm việc. Thay đổi về phí, thời hạn, mức độ,
    hồ sơ và cách thức nộp được nêu trước.
    """
    from .diff import DiffError, InvalidTree, diff_refs
    from .diff import render as render_diff

    try:
        result = diff_refs(base, head, catalogue_path)
    except InvalidTree as exc:
        click.echo(f"Lỗi: {exc}", err=True)
        sys.exit(2)
    except DiffError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(render_diff(result, fmt))


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Thư mục catalogue gộp được ghi (ghi đè nếu do lần gộp trước ghi).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="text | json | github (mặc định: github khi chạy trong GitHub Actions).")
def merge(sources: tuple[Path, ...], out: Path, fmt: str | None) -> None:
    """Gộp nhiều catalogue (kho dữ liệu của bộ, tỉnh) thành một catalogue tại --out.

    Mã thủ tục phải là duy nhất giữa các kho; cơ quan, lĩnh vực, sự kiện, chỉ tiêu
    cùng mã phải được khai báo giống hệt nhau. Mọi lỗi được báo ở tệp của kho
    nguồn; khi có lỗi, --out giữ nguyên.
    """
    from . import result_cache
    from .merge import MergeError, merge_catalogues

    for source in sources:
        if not source.is_dir():
            raise click.UsageError(f"không tìm thấy thư mục catalogue: {source}")
    fmt = fmt or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    try:
        catalogue, found = merge_catalogues(list(sources), out, Path.cwd(), result_cache.default_path())
    except MergeError as exc:
        raise click.UsageError(str(exc)) from None
    errors = [p for p in found if p.level is Severity.ERROR]
    if errors:
        click.echo(problems_mod.render(errors, fmt))
        click.echo(problems_mod.summary(found), err=True)
        sys.exit(1)
    assert catalogue is not None
    click.echo(f"đã gộp {len(sources)} catalogue, {len(catalogue.procedures)} thủ tục, "
               f"{len(catalogue.agencies)} cơ quan vào {out}", err=True)


@main.group(name="import")
def import_() -> None:
    """Nhập thủ tục từ hệ thống khác vào catalogue."""


@import_.command(name="dichvucong")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=Path("catalogue"), show_default=True,
              help="Thư mục catalogue được ghi đè bằng kết quả nhập.")
@click.option("--captured", metavar="YYYY-MM[-DD]",
              help="Ngày (hoặc tháng) dữ liệu được lấy từ Cổng; mặc định: theo SOURCE.md cạnh bản ghi.")
def import_dichvucong(paths: tuple[Path, ...], out: Path, captured: str | None) -> None:
    """Nhập bản ghi thủ tục của Cổng Dịch vụ công quốc gia (tệp JSON hoặc thư mục) vào --out.

    In báo cáo chất lượng: số bản ghi và số dòng đọc được trọn vẹn hoặc cần rà soát, theo từng phần.
    """
    from .importers.dichvucong import captured_from_source, import_files, report_text, write_catalogue

    captured = captured or captured_from_source(paths)
    if captured is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?", captured):
        raise click.UsageError(f"--captured {captured}: cần dạng YYYY-MM hoặc YYYY-MM-DD")
    imported = import_files(paths, catalogue=out if out.is_dir() else None, captured=captured)
    for error in imported.errors:
        click.echo(error, err=True)
    _check_out_folder(out)
    if not imported.procedures:  # never replace a catalogue with an empty one
        raise click.ClickException(f"không đọc được bản ghi nào; {out} giữ nguyên")
    try:
        written = write_catalogue(imported, out)
    except OSError as exc:
        raise click.ClickException(f"không ghi được vào {out}: {exc.strerror}") from None
    click.echo(report_text(imported))
    click.echo(f"đã ghi {len(written)} thủ tục vào {out}", err=True)
    sys.exit(1 if imported.errors else 0)


def _check_out_folder(out: Path) -> None:
    """A usage error (exit 2) when --out names a file rather than a folder."""
    if out.exists() and not out.is_dir():
        raise click.UsageError(f"--out {out} là một tệp, cần một thư mục")


def _valid_catalogue(path: Path) -> Catalogue:
    """The validated catalogue at PATH, or exit 1 with its errors (2 when PATH is no folder)."""
    from . import result_cache
    from .validate import validate as validate_catalogue

    if not path.is_dir():
        raise click.UsageError(f"không tìm thấy thư mục catalogue: {path}")
    catalogue, found = validate_catalogue(path, base=Path.cwd(), cache_path=result_cache.default_path())
    if catalogue is None:
        click.echo(problems_mod.render([p for p in found if p.level is Severity.ERROR], "text"))
        click.echo(problems_mod.summary(found), err=True)
        sys.exit(1)
    return catalogue
