"""The project pipeline (issue 18) on hand-checked data: tests/data/pipeline is tests/data/tiny plus five projects.

Projects (all chain li), as of 2023-12-31 with period 2023:

====  ==========  ======  ============  ==============================================================
id    firm        park    stage         dates
====  ==========  ======  ============  ==============================================================
p1    shsep       dy      registered    signed 2023-02-01, registered 2023-03-15; 12亿 invested, 15亿 output
p2    shev        js      在谈          lead 2023-01-05, negotiating 2023-03-02
p3    lanjun      js      producing     signed 2022-03-01, registered 03-20, construction 05-01, producing 2023-06-30
p4    jscathode   dy      dropped       signed 2023-04 (month only), dropped 2023-09-01 (资金未到位)
p5    shev        js      signed        signed 2023-05-10; output 100亿 = 1e10
====  ==========  ======  ============  ==============================================================

* Cohort (signed in 2023): p1, p4, p5 — p4 was signed before it was dropped, so it is in the denominator.
  注册率 1/3 = 0.3333, 开工率 0/3, 投产率 0/3.
* Cumulative (every project that reached signed): p1, p3, p4, p5 = 4; registered p1, p3: 0.5;
  started p3: 0.25; producing p3: 0.25.
* Median days: signed→registered p1 42 (Feb 1 → Mar 15), p3 19 (Mar 1 → Mar 20): 30.5;
  registered→construction p3 42; construction→producing p3 365 + 60 = 425; signed→producing p3 486.
  p4's month-only date is in no duration.
* Stalled ([pipeline] start_days = 300, others default): p2 negotiating since 2023-03-02, 304 days, limit 60:
  244 overdue; p5 signed 2023-05-10, 235 days, limit 90: 145 overdue; p1 registered 2023-03-15, 291 days,
  limit 300: not stalled.
* Quotas over the cohort's live projects p1, p5: county signed 2 of 3 (missing 1); big output (>= 1e10): p5,
  1 of 1; major (investment >= 1e9): p1 (12亿), 1 of 1; chain firms of li: shsep, shev = 2 of 3;
  Dayun's signed_per_chain li: p1 only, 1 of 2.
* What-if: before, Lanjun's completeness is 1/3.1 = 0.3226 (docs/analysis.md). With the signed projects' firms
  (shsep, shev, lanjun) local, pack and ev are covered and separator weak: 2/3.1 = 0.6452. With producing
  ones (lanjun only): unchanged.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from chaingraph import jobs
from chaingraph.analyses.pipeline import analyse_pipeline, project_state
from chaingraph.cli import cli
from chaingraph.datasets import read_dataset
from chaingraph.errors import DatasetErrors
from chaingraph.model import Project
from chaingraph.stores import open_store

DATA = Path(__file__).parent / "data" / "pipeline"
AS_OF = "2023-12-31"


@pytest.fixture(scope="module")
def report():
    store = open_store(str(DATA))
    return jobs.pipeline_report(store, as_of=AS_OF, impact=True)


def test_rates_cohort_and_cumulative(report):
    cohort, total = report.rates["cohort"], report.rates["cumulative"]
    assert (cohort["signed"], cohort["registered"], cohort["construction"], cohort["producing"]) == (3, 1, 0, 0)
    assert (cohort["registration_rate"], cohort["start_rate"], cohort["production_rate"]) == (0.3333, 0.0, 0.0)
    assert (total["signed"], total["registration_rate"], total["start_rate"], total["production_rate"]) == \
        (4, 0.5, 0.25, 0.25)


def test_counts_per_stage_chain_and_park(report):
    li = report.by_chain["li"]
    assert {s: n for s, n in li.items() if n} == {"negotiating": 1, "signed": 1, "registered": 1, "producing": 1,
                                                    "dropped": 1}
    assert {s: n for s, n in report.by_park["dy"].items() if n} == {"registered": 1, "dropped": 1}
    assert report.funnel["li"] == {"lead": 5, "contacted": 5, "negotiating": 5, "signed": 4, "registered": 2,
                                   "construction": 1, "producing": 1}


def test_median_days_between_stages(report):
    got = {(d["from"], d["to"]): (d["n"], d["median_days"]) for d in report.durations}
    assert got[("signed", "registered")] == (2, 30.5)
    assert got[("registered", "construction")] == (1, 42)
    assert got[("construction", "producing")] == (1, 425)
    assert got[("signed", "producing")] == (1, 486)
    assert got[("lead", "signed")] == (0, None)


def test_stalled_with_owner_and_days_overdue(report):
    assert [(s.id, s.stage, s.since, s.days, s.limit, s.overdue, s.owner) for s in report.stalled] == [
        ("p2", "negotiating", "2023-03-02", 304, 60, 244, "锂电池专班"),
        ("p5", "signed", "2023-05-10", 235, 90, 145, "招商局"),
    ]
    assert report.undated == () and report.undated_signed == ()
    assert [(d.project, d.drop_reason) for d in report.dropped] == [("p4", "资金未到位")]


def test_quota_progress(report):
    got = [(q.scope, q.kind, q.chains, q.target, q.reached, q.missing, q.projects) for q in report.quotas]
    assert got == [
        ("js", "signed", (), 3, 2, 1, ("p1", "p5")),
        ("js", "big_output_projects", (), 1, 1, 0, ("p5",)),
        ("js", "major_projects", (), 1, 1, 0, ("p1",)),
        ("js", "chain_firms", ("li",), 3, 2, 1, ("p1", "p5")),
        ("dy", "signed_per_chain", ("li",), 2, 1, 1, ("p1",)),
    ]
    # the table, the page and the workbook name the projects counted, not their ids
    assert report.project_names == {"p1": "上海隔膜嘉善基地", "p5": "上海汽车整车"}
    from chaingraph.exports.pipeline_html import pipeline_html
    from chaingraph.exports.text import QUOTA_PROJECTS_SHOWN, quota_projects, render_pipeline

    table = render_pipeline(report, lang="zh")
    assert "上海隔膜嘉善基地、上海汽车整车" in table and "p1" not in table
    assert "上海隔膜嘉善基地; 上海汽车整车" in pipeline_html(report, lang="en")
    many = tuple(f"x{i}" for i in range(QUOTA_PROJECTS_SHOWN + 5))
    assert quota_projects(report, many, "en").endswith(f"x{QUOTA_PROJECTS_SHOWN - 1} ... ({len(many)} in all)")


def test_gaps_before_and_after_the_pipeline(report):
    signed, producing = report.impact["signed"], report.impact["producing"]
    assert signed["firms"] == ["lanjun", "shev", "shsep"] and producing["firms"] == ["lanjun"]
    a = signed["anchors"][0]
    # own cell not counted (issue 12): 0 / 2.1 before; shev local covers pack and ev: 1 / 2.1 after
    assert (a["before"]["completeness"], a["after"]["completeness"]) == (0.0, 0.4762)
    assert producing["anchors"][0]["after"]["completeness"] == 0.0


def test_no_signed_projects_is_no_rate_not_zero_or_hundred_percent():
    """A cohort of nothing: rates are None with a reason."""
    store = open_store(str(DATA))
    rep = jobs.pipeline_report(store, as_of=AS_OF, period="2021", impact=False)
    cohort = rep.rates["cohort"]
    assert cohort["signed"] == 0
    assert (cohort["registration_rate"], cohort["start_rate"], cohort["production_rate"]) == (None, None, None)
    assert cohort["reason"] == "no_signed_projects"


def test_as_of_rolls_back_later_dates():
    """On 2023-03-01 p1 is only signed (registered 03-15 has not come), p3 is under construction
    (producing 06-30 not yet), p4 and p5 did not exist; p2 is a lead (negotiating 03-02 not yet)."""
    ds = read_dataset(DATA)
    day = dt.date(2023, 3, 1)
    states = {p.id: (st.stage if (st := project_state(p, day)) else None) for p in ds.projects}
    assert states == {"p1": "signed", "p2": "lead", "p3": "construction", "p4": None, "p5": None}


def test_month_precision_clock_starts_at_month_end():
    """Signed 2023-01 (some day in January): on 2023-05-01 the last possible day, 01-31, is 90 days back,
    so not stalled yet; on 2023-05-02 it is 91 days: 1 overdue, whichever day of January it was."""
    T = open_store(str(DATA)).template()
    p = [Project("m", "M", "shev", "li", "signed", park="js", dates={"signed": "2023-01"})]
    assert analyse_pipeline(T, p, as_of=dt.date(2023, 5, 1), home="js").stalled == ()
    late = analyse_pipeline(T, p, as_of=dt.date(2023, 5, 2), home="js").stalled
    assert [(s.since, s.days, s.overdue) for s in late] == [("2023-01", 91, 1)]


def test_targets_leave_out_firms_with_a_live_project():
    """shsep and shev are tiny's only candidates; both have live projects, so no target is left and
    both are shown with their stage."""
    store = open_store(str(DATA))
    rep = jobs.target_report(store)
    assert rep.targets == ()
    assert [(n.firm, n.project, n.stage, n.since, n.owner) for n in rep.in_pipeline] == [
        ("shsep", "p1", "registered", "2023-03-15", "锂电池专班"),
        ("shev", "p2", "negotiating", "2023-03-02", "锂电池专班"),
        ("shev", "p5", "signed", "2023-05-10", "招商局"),
    ]
    plan = jobs.plan_report(store, budget=2)
    assert plan.picks == () and len(plan.in_pipeline) == 3


def _copy(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "ds"
    shutil.copytree(DATA, folder)
    for name, content in files.items():
        (folder / name.replace("_csv", ".csv")).write_text(content, encoding="utf-8")
    return folder


HEADER = ("id,name,firm,segments,chain,anchor,park,stage,lead,contacted,negotiating,signed,registered,construction,"
          "producing,dropped,drop_reason,investment,expected_output,owner,source,note\n")


def test_bad_projects_are_reported_with_file_and_line(tmp_path):
    rows = [
        "a,A,nobody,separator,li,,dy,signed,,,,2023-01-01,,,,,,,,,,",
        "a,B,shsep,cell;ev,li,,moon,registered,,,,2023-05-01,2023-04-01,,,,,x亿,,,,",
        "c,C,shsep,,li,,dy,signed,,,,,2023-13-01,,,,,,,,,",
        "d,D,shsep,,li,,dy,dropped,,,,,,,,,,,,,,",
        "e,E,shsep,,li,,dy,waiting,,,,,,,,,,,,,,",
    ]
    folder = _copy(tmp_path, projects_csv=HEADER + "\n".join(rows) + "\n")
    with pytest.raises(DatasetErrors) as exc:
        read_dataset(folder)
    f = str(folder / "projects.csv")
    got = [str(p).replace(f, "P") for p in exc.value.problems]
    assert got == [
        "P:2: unknown firm 'nobody' (use an id from firms.csv (add a new firm there first))",
        "P:3: duplicate id 'a', first on line 2 (ids must be unique; merge or rename the rows)",
        "P:3: investment 'x亿' is not a number (write digits, e.g. 1200000 or 1.2e6)",
        "P:3: unknown region 'moon' (use a region id from regions.csv)",
        "P:3: registered 2023-04-01 is before signed 2023-05-01 (dates follow lead, contacted, negotiating, "
        "signed, registered, construction, producing; fix the date or the stage)",
        "P:4: registered '2023-13-01' is not a date (write YYYY-MM-DD, or YYYY-MM when only the month is known)",
        "P:5: a dropped project needs a drop_reason (say why it was dropped (e.g. 资金未到位))",
        "P:6: unknown stage 'waiting' (use lead, contacted, negotiating, signed, registered, construction, "
        "producing, dropped (or 线索, 接洽, 在谈, 签约, 注册, 开工, 投产, 终止))",
    ]


def test_stage_must_agree_with_dates_and_segments_with_chain(tmp_path):
    folder = _copy(tmp_path, chains_csv="id,name,name_en\nli,锂电池,Lithium battery\nx,其他,Other\n")
    (folder / "projects.csv").write_text(HEADER + "a,A,shsep,ev,x,,dy,signed,,,,2023-01-01,,2023-02-01,,,,,,,,\n",
                                         encoding="utf-8")
    with pytest.raises(DatasetErrors) as exc:
        read_dataset(folder)
    msgs = [p.message for p in exc.value.problems]
    assert msgs == ["segment 'ev' is in chain 'li', not 'x'",  # column segments sorts before stage
                    "stage 'signed' is before construction, which has a date"]


def test_chinese_headers_and_stage_words_read_the_same(tmp_path):
    zh = HEADER.replace("id,name,firm,", "项目编号,项目名称,企业,").replace(",stage,", ",阶段,").replace(
        ",signed,", ",签约,").replace(",investment,", ",总投资,").replace(",owner,", ",负责人,")
    body = (DATA / "projects.csv").read_text(encoding="utf-8").split("\n", 1)[1].replace(",registered,", ",注册,")
    folder = _copy(tmp_path)
    (folder / "projects.csv").write_bytes((zh + body).encode("gb18030"))
    assert read_dataset(folder).projects == read_dataset(DATA).projects


def test_quota_settings_are_checked(tmp_path):
    toml = (DATA / "dataset.toml").read_text(encoding="utf-8").replace("start_days = 300", "stall_days = 3") \
        .replace("signed = 3", "signed = -1").replace("[quotas.parks.dy]", '[quotas.parks.moon]')
    folder = _copy(tmp_path)
    (folder / "dataset.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(DatasetErrors) as exc:
        read_dataset(folder)
    assert [p.message for p in exc.value.problems] == [
        "[quotas.county] signed = -1 is not a quota",
        "[quotas.parks] names unknown region 'moon'",
        "unknown [pipeline] setting 'stall_days'",
    ]


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=not ok)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def test_cli_pipeline_json_table_csv(tmp_path):
    data = json.loads(run("pipeline", str(DATA), "--as-of", AS_OF, "--format", "json").stdout)
    assert data["rates"]["cohort"]["registration_rate"] == 0.3333
    assert [s["id"] for s in data["stalled"]] == ["p2", "p5"]
    table = run("pipeline", str(DATA), "--as-of", AS_OF, "--lang", "en").stdout
    assert "signed in 2023  3       1 (33%)     0 (0%)        0 (0%)" in table
    assert "上海汽车电池包  negotiating  2023-03-02  304   60     244           锂电池专班" in table
    zh = run("pipeline", str(DATA), "--as-of", AS_OF).stdout
    assert "注册率" in zh and "停滞项目" in zh and "资金未到位" in zh
    csv = run("pipeline", str(DATA), "--as-of", AS_OF, "--format", "csv", "--lang", "en").stdout
    assert csv.splitlines()[1] == "li,Lithium battery,0,0,1,1,1,0,1,1"
    only_dy = json.loads(run("pipeline", str(DATA), "--as-of", AS_OF, "--park", "dy", "--format", "json").stdout)
    assert only_dy["projects"] == 2 and [q["scope"] for q in only_dy["quotas"]] == ["dy"]


def test_cli_pipeline_errors():
    bad = run("pipeline", str(DATA), "--as-of", "yesterday", "--lang", "en", ok=False)
    assert bad.exit_code == 1 and "Error: --as-of 'yesterday' is not a day" in bad.output
    bad = run("pipeline", str(DATA), "--chain", "nope", "--lang", "en", ok=False)
    assert bad.exit_code == 1 and "Error: no chain with id 'nope'" in bad.output
    assert run("pipeline", str(DATA), "--format", "html", ok=False).exit_code == 2


def test_html_page_is_offline_and_escaped(tmp_path):
    folder = _copy(tmp_path)
    text_ = (folder / "projects.csv").read_text(encoding="utf-8").replace("上海汽车电池包", "<script>x</script>")
    (folder / "projects.csv").write_text(text_, encoding="utf-8")
    out = tmp_path / "pipeline.html"
    run("pipeline", str(folder), "--as-of", AS_OF, "--format", "html", "-o", str(out), "--lang", "en")
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "http" not in page and "src=" not in page
    assert page.count('class="bar"') == 7 + 5  # one funnel of 7 stages, 5 quota bars


def test_project_set_round_trip(tmp_path):
    """Only p5's line changes (stage and registered date); a second run changes nothing; a stage
    before a date already given is refused and the file is left as it was."""
    folder = _copy(tmp_path)
    path = folder / "projects.csv"
    before = path.read_bytes()
    out = run("project", "set", str(folder), "p5", "--stage", "registered", "--date", "2024-01-15",
              "--lang", "en").stdout
    assert out.startswith("p5: stage registered 2024-01-15, written to")
    after = path.read_bytes()
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert changed == [(b"p5,\xe4\xb8\x8a\xe6\xb5\xb7\xe6\xb1\xbd\xe8\xbd\xa6\xe6\x95\xb4\xe8\xbd\xa6,shev,ev,li,,js,"
                        b"signed,,,,2023-05-10,,,,,,,100\xe4\xba\xbf,\xe6\x8b\x9b\xe5\x95\x86\xe5\xb1\x80,invented,",
                        b"p5,\xe4\xb8\x8a\xe6\xb5\xb7\xe6\xb1\xbd\xe8\xbd\xa6\xe6\x95\xb4\xe8\xbd\xa6,shev,ev,li,,js,"
                        b"registered,,,,2023-05-10,2024-01-15,,,,,,100\xe4\xba\xbf,\xe6\x8b\x9b\xe5\x95\x86\xe5\xb1\x80,"
                        b"invented,")]
    again = run("project", "set", str(folder), "p5", "--stage", "registered", "--date", "2024-01-15",
                "--lang", "en").stdout
    assert "nothing changed" in again and path.read_bytes() == after
    # p2 is 在谈 in Chinese: it stays Chinese
    run("project", "set", str(folder), "p2", "--stage", "signed", "--date", "2023-12-01")
    assert b",\xe7\xad\xbe\xe7\xba\xa6,2023-01-05" in path.read_bytes()  # 签约
    bad = run("project", "set", str(folder), "p3", "--stage", "signed", "--lang", "en", ok=False)
    assert bad.exit_code == 1 and "stage 'signed' is before producing, which has a date" in bad.output
    assert read_dataset(folder).projects[2].stage == "producing"
    unknown = run("project", "set", str(folder), "p9", "--stage", "signed", "--lang", "en", ok=False)
    assert unknown.exit_code == 1 and "no project with id 'p9'" in unknown.output


def test_project_set_keeps_gbk_and_crlf(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "projects.csv"
    text_ = (DATA / "projects.csv").read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(text_.encode("gb18030"))
    run("project", "set", str(folder), "p1", "--stage", "construction", "--date", "2023-11-02")
    new = path.read_bytes().decode("gb18030")
    assert new == text_.replace("registered,,,,2023-02-01,2023-03-15,,", "construction,,,,2023-02-01,2023-03-15,"
                                "2023-11-02,")


def test_cli_impact_only_when_asked():
    """The what-if (gaps before and after the projects land) costs seconds at a million firms: the command
    adds it with --impact, with the answer of the library's report (test_gaps_before_and_after_the_pipeline)."""
    plain = json.loads(run("pipeline", str(DATA), "--as-of", AS_OF, "--format", "json").stdout)
    assert plain["impact"] is None
    full = json.loads(run("pipeline", str(DATA), "--as-of", AS_OF, "--format", "json", "--impact").stdout)
    assert full["impact"]["signed"]["firms"] == ["lanjun", "shev", "shsep"]
    assert full["impact"]["signed"]["anchors"][0]["after"]["completeness"] == 0.4762
    assert {k: v for k, v in full.items() if k != "impact"} == {k: v for k, v in plain.items() if k != "impact"}
    table = run("pipeline", str(DATA), "--as-of", AS_OF, "--lang", "en", "--impact").stdout
    assert "Lanjun New Energy  0%                48%                   0%" in table
    assert "With signed projects" not in run("pipeline", str(DATA), "--as-of", AS_OF, "--lang", "en").stdout


def test_terminal_lists_the_most_overdue_and_counts_the_rest(report):
    """25 stalled and 25 dropped projects: the table shows 20 of each and says how many more json and xlsx list."""
    from dataclasses import replace

    from chaingraph.exports.text import render_pipeline

    many = replace(report, stalled=report.stalled[:1] * 25, dropped=report.dropped * 25, impact=None)
    text_ = render_pipeline(many, lang="en")
    assert text_.count("上海汽车电池包") == 20 and text_.count("资金未到位") == 20
    assert text_.count("... and 5 more; --format json or xlsx lists them all") == 2
    assert "……另有 5 个未列出" in render_pipeline(many, lang="zh")


def test_terminal_lists_of_projects_in_the_pipeline_are_bounded():
    """A national pipeline notes tens of thousands of projects beside the targets: the terminal shows the
    first ``shown`` in the given order and says how many more JSON lists; without ``shown``, all of them."""
    from chaingraph.analyses.pipeline import ProjectNote
    from chaingraph.exports.text import render_project_notes

    notes = [ProjectNote(f"f{i:02d}", f"p{i:02d}", f"Plant {i}", "signed" if i % 2 else "dropped",
                         "2023-05-01" if i % 2 else None, "招商局", None if i % 2 else "资金未到位")
             for i in range(25)]
    en = render_project_notes(notes, lang="en", shown=20).splitlines()
    assert len(en) == 1 + 20 + 1
    assert en[1].startswith("  f00: Plant 0, dropped") and en[20].startswith("  f19: Plant 19, signed")
    assert en[-1] == "  ... and 5 more projects; --format json lists them all"
    zh = render_project_notes(notes, lang="zh", shown=20).splitlines()
    assert zh[-1] == "  ……另有 5 个项目未列出；--format json 列出全部"
    assert len(render_project_notes(notes, lang="en").splitlines()) == 1 + 25
    assert len(render_project_notes(notes[:20], lang="en", shown=20).splitlines()) == 1 + 20
