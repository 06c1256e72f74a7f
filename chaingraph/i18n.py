"""Labels, column headers and reason sentences in Chinese and English.

Chinese text is in simplified characters (简体), the norm for mainland users;
the issue's examples happen to be in traditional characters. Every key exists
in both languages (a test checks it), and :func:`text` fills ``{placeholders}``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chaingraph.model import Lang

__all__ = ["Lang", "LANGS", "TEXT", "HEADERS", "text", "header", "join", "status_label", "action_label",
           "format_money"]

LANGS: tuple[Lang, ...] = ("zh", "en")

TEXT: dict[Lang, dict[str, str]] = {
    "zh": {
        # statuses, actions, directions
        "status.covered": "已覆盖",
        "status.weak": "薄弱",
        "status.missing": "缺失",
        "action.fill": "补链",
        "action.strengthen": "强链",
        "action.extend": "延链",
        "direction.own": "本环节",
        "direction.upstream": "上游",
        "direction.downstream": "下游",
        "stage.upstream": "上游",
        "stage.midstream": "中游",
        "stage.downstream": "下游",
        # score components
        "component.supplies_anchor": "已供货链主",
        "component.supplies_peers": "供货同类企业",
        "component.local_ties": "本地关联",
        "component.gap_severity": "缺口程度",
        "component.scale": "规模",
        "component.proximity": "距离",
        # reasons: one sentence per component that mattered
        "reason.supplies_anchor": "已向{anchor}供应{segment}",
        "reason.supplies_peers": "已向{n}家同类{segment}企业供货，如{example}",
        "reason.local_ties": "已与{n}家本地企业有供货往来，如{example}",
        "reason.gap.missing.upstream": "可补上{anchor}上游缺失的{segment}环节（补链）",
        "reason.gap.weak.upstream": "可强化{anchor}上游薄弱的{segment}环节（强链）",
        "reason.gap.missing.downstream": "可延伸{anchor}下游的{segment}环节（延链）",
        "reason.scale": "年产值约{value}",
        "reason.scale.big": "年产值约{value}，属百亿级项目",
        "reason.proximity": "距{anchor}约{km}公里",
        "products": "产品",
        "and": "、",
        # report text
        "title.gaps": "{anchor}的产业链缺口（{region}，深度{depth}）",
        "title.region": "{region}的产业链图谱",
        "title.targets": "{region}招商目标",
        "title.plan": "招商组合（预算{budget}家）",
        "summary": "环节{segments}个：已覆盖{covered}，薄弱{weak}，缺失{missing}；完整度{completeness}；本地配套率{local_supply_ratio}",
        "what_if": "假设{firms}落户本地：",
        "before": "之前",
        "after": "之后",
        "single_source": "单一供应商",
        "quota_unmet": "配额未满足：{chain}还差{n}家（候选企业不足）",
        "none": "无",
        # -- project pipeline (issue 18) --
        "pipeline.title": "招商项目进度（截至 {as_of}，考核期 {period}，共 {n} 个项目）",
        "pipeline.by_chain": "各产业链项目阶段",
        "pipeline.by_park": "各园区项目阶段",
        "pipeline.rates": "转化率（注册率、开工率、投产率 = 已注册、已开工、已投产 ÷ 已签约）",
        "pipeline.cohort": "{period} 签约项目",
        "pipeline.cumulative": "累计",
        "pipeline.durations": "阶段间隔（中位天数，仅计精确到日的日期）",
        "pipeline.quotas": "指标完成情况",
        "pipeline.stalled": "停滞项目",
        "pipeline.undated": "当前阶段无日期、无法判断是否停滞：{ids}",
        "pipeline.undated_signed": "已过签约但无签约日期、未计入考核期：{ids}",
        "pipeline.dropped": "已终止项目",
        "pipeline.impact": "项目落地后的产业链（按已签约 / 已投产项目的企业计为本地）",
        "pipeline.in_pipeline": "已在项目库中的企业（不再重复推荐）",
        "pipeline.note.live": "{firm}：{project}，{stage}{since}，负责：{owner}",
        "pipeline.note.since": "（{date}起）",
        "pipeline.note.dropped": "{firm}：{project}，已终止，原因：{reason}",
        "pipeline.none": "无",
        "pipeline.no_projects": "该数据集没有项目（projects.csv）",
        "pipeline.reason.no_signed_projects": "无签约项目，比率不适用",
        "pipeline.reason.no_major_threshold": "dataset.toml 未设 major_investment_min，无法统计",
        "pipeline.stage.lead": "线索", "pipeline.stage.contacted": "接洽", "pipeline.stage.negotiating": "在谈",
        "pipeline.stage.signed": "签约", "pipeline.stage.registered": "注册", "pipeline.stage.construction": "开工",
        "pipeline.stage.producing": "投产", "pipeline.stage.dropped": "终止", "pipeline.stage.unknown": "未知",
        "pipeline.rate.registration_rate": "注册率", "pipeline.rate.start_rate": "开工率",
        "pipeline.rate.production_rate": "投产率",
        "pipeline.quota.signed": "签约项目", "pipeline.quota.signed_per_chain": "签约项目（{chains}）",
        "pipeline.quota.big_output_projects": "百亿产值项目", "pipeline.quota.major_projects": "招大引强项目",
        "pipeline.quota.chain_firms": "产业链企业（{chains}）",
        "pipeline.col.scope": "范围", "pipeline.col.quota": "指标", "pipeline.col.target": "目标",
        "pipeline.col.reached": "完成", "pipeline.col.missing": "差额", "pipeline.col.projects": "计入项目",
        "pipeline.col.project": "项目", "pipeline.col.stage": "阶段", "pipeline.col.since": "起始日期",
        "pipeline.col.days": "天数", "pipeline.col.limit": "时限", "pipeline.col.overdue": "超期天数",
        "pipeline.col.owner": "负责", "pipeline.col.key": "名称", "pipeline.col.from": "从",
        "pipeline.col.to": "到", "pipeline.col.n": "项目数", "pipeline.col.median": "中位天数",
        "pipeline.col.reason": "原因", "pipeline.col.anchor": "链主", "pipeline.col.before": "现状完整度",
        "pipeline.col.after_signed": "签约项目落地后", "pipeline.col.after_producing": "投产项目计入后",
        "pipeline.col.chain": "产业链", "pipeline.col.firm": "企业",
        "project.set": "{project}：阶段 {stage}{date}，已写入 {path}",
        "project.unchanged": "{project} 已是阶段 {stage}{date}，未改动",
        # -- issue 12: names, evidence, groups, honest definitions, data quality (one block) --
        "name.matched": "“{query}”按{how}匹配为{name}（{id}）",
        "name.how.prefix": "前缀",
        "name.how.contains": "部分名称",
        "reason.supplies_anchor.sure": "已向{anchor}供应{segment}（{evidence}，可信度{confidence}）",
        "reason.supplies_anchor.maybe": "可能向{anchor}供应{segment}（{evidence}，可信度{confidence}）",
        "evidence.reported": "公告",
        "evidence.survey": "调研",
        "evidence.derived": "按产业关系推断",
        "evidence.illustrative": "示意数据",
        "evidence.unknown": "来源不明",
        "reason.group": "与链主同属{group}，可在集团内扩产{segment}",
        "supply.group": "集团内供应",
        "warning.anchor_without_segments": "警告：{anchor}在firms.csv中没有填写环节，完整度和本地配套率无法计算；请在segments列填写其环节编号",
        "warning.no_segments_within_depth": "警告：{anchor}的环节在产业链模板中没有上下游关系，完整度无法计算；请在segment_links.csv中补充这些环节的FEEDS关系",
    },
    "en": {
        "status.covered": "covered",
        "status.weak": "weak",
        "status.missing": "missing",
        "action.fill": "fill",
        "action.strengthen": "strengthen",
        "action.extend": "extend",
        "direction.own": "own",
        "direction.upstream": "upstream",
        "direction.downstream": "downstream",
        "stage.upstream": "upstream",
        "stage.midstream": "midstream",
        "stage.downstream": "downstream",
        "component.supplies_anchor": "supplies anchor",
        "component.supplies_peers": "supplies peers",
        "component.local_ties": "local ties",
        "component.gap_severity": "gap severity",
        "component.scale": "scale",
        "component.proximity": "proximity",
        "reason.supplies_anchor": "already supplies {segment} to {anchor}",
        "reason.supplies_peers": "already supplies {n} other {segment} makers, e.g. {example}",
        "reason.local_ties": "already trades with {n} local firms, e.g. {example}",
        "reason.gap.missing.upstream": "fills the missing upstream {segment} link of {anchor}",
        "reason.gap.weak.upstream": "strengthens the weak upstream {segment} link of {anchor}",
        "reason.gap.missing.downstream": "extends {anchor} downstream into {segment}",
        "reason.scale": "annual output about {value}",
        "reason.scale.big": "annual output about {value}, a 10-billion-scale project",
        "reason.proximity": "about {km} km from {anchor}",
        "products": "products",
        "and": ", ",
        "title.gaps": "Chain gaps around {anchor} ({region}, depth {depth})",
        "title.region": "Chain map of {region}",
        "title.targets": "Recruitment targets for {region}",
        "title.plan": "Recruitment portfolio (budget {budget})",
        "summary": "{segments} segments: {covered} covered, {weak} weak, {missing} missing; "
                   "completeness {completeness}; local supply ratio {local_supply_ratio}",
        "what_if": "If {firms} were local:",
        "before": "before",
        "after": "after",
        "single_source": "single source",
        "quota_unmet": "quota not met: {chain} is {n} short (too few candidates)",
        "none": "none",
        # -- project pipeline (issue 18) --
        "pipeline.title": "Recruitment pipeline as of {as_of}, period {period}, {n} projects",
        "pipeline.by_chain": "Projects by stage and chain",
        "pipeline.by_park": "Projects by stage and park",
        "pipeline.rates": "Conversion (registration, start, production rate = registered, started, producing ÷ signed)",
        "pipeline.cohort": "signed in {period}",
        "pipeline.cumulative": "cumulative",
        "pipeline.durations": "Days between stages (median, day-precise dates only)",
        "pipeline.quotas": "Quotas",
        "pipeline.stalled": "Stalled projects",
        "pipeline.undated": "Current stage has no date, so stalling cannot be judged: {ids}",
        "pipeline.undated_signed": "Past signing without a signed date, so in no period: {ids}",
        "pipeline.dropped": "Dropped projects",
        "pipeline.impact": "The chain once projects land (firms of signed / producing projects counted as local)",
        "pipeline.in_pipeline": "Firms already in the pipeline (not recommended again)",
        "pipeline.note.live": "{firm}: {project}, {stage}{since}, owner {owner}",
        "pipeline.note.since": " since {date}",
        "pipeline.note.dropped": "{firm}: {project}, dropped: {reason}",
        "pipeline.none": "none",
        "pipeline.no_projects": "the dataset has no projects (projects.csv)",
        "pipeline.reason.no_signed_projects": "no signed projects, so no rate",
        "pipeline.reason.no_major_threshold": "dataset.toml sets no major_investment_min, so it cannot be counted",
        "pipeline.stage.lead": "lead", "pipeline.stage.contacted": "contacted",
        "pipeline.stage.negotiating": "negotiating", "pipeline.stage.signed": "signed",
        "pipeline.stage.registered": "registered", "pipeline.stage.construction": "construction",
        "pipeline.stage.producing": "producing", "pipeline.stage.dropped": "dropped",
        "pipeline.stage.unknown": "unknown",
        "pipeline.rate.registration_rate": "registration rate", "pipeline.rate.start_rate": "start rate",
        "pipeline.rate.production_rate": "production rate",
        "pipeline.quota.signed": "signed projects", "pipeline.quota.signed_per_chain": "signed projects ({chains})",
        "pipeline.quota.big_output_projects": "projects with output >= 10 billion",
        "pipeline.quota.major_projects": "major projects (招大引强)",
        "pipeline.quota.chain_firms": "chain firms ({chains})",
        "pipeline.col.scope": "Scope", "pipeline.col.quota": "Quota", "pipeline.col.target": "Target",
        "pipeline.col.reached": "Reached", "pipeline.col.missing": "Missing", "pipeline.col.projects": "Projects counted",
        "pipeline.col.project": "Project", "pipeline.col.stage": "Stage", "pipeline.col.since": "Since",
        "pipeline.col.days": "Days", "pipeline.col.limit": "Limit", "pipeline.col.overdue": "Days overdue",
        "pipeline.col.owner": "Owner", "pipeline.col.key": "Name", "pipeline.col.from": "From",
        "pipeline.col.to": "To", "pipeline.col.n": "Projects", "pipeline.col.median": "Median days",
        "pipeline.col.reason": "Reason", "pipeline.col.anchor": "Anchor", "pipeline.col.before": "Completeness now",
        "pipeline.col.after_signed": "With signed projects", "pipeline.col.after_producing": "With producing projects",
        "pipeline.col.chain": "Chain", "pipeline.col.firm": "Firm",
        "project.set": "{project}: stage {stage}{date}, written to {path}",
        "project.unchanged": "{project} already has stage {stage}{date}; nothing changed",
        # -- issue 12: names, evidence, groups, honest definitions, data quality (one block) --
        "name.matched": "'{query}' taken as {name} ({id}), a {how} match",
        "name.how.prefix": "prefix",
        "name.how.contains": "partial-name",
        "reason.supplies_anchor.sure": "already supplies {segment} to {anchor} ({evidence}, confidence {confidence})",
        "reason.supplies_anchor.maybe": "may supply {segment} to {anchor} ({evidence}, confidence {confidence})",
        "evidence.reported": "reported",
        "evidence.survey": "survey",
        "evidence.derived": "inferred from industry relations",
        "evidence.illustrative": "illustrative data",
        "evidence.unknown": "unsourced",
        "reason.group": "in the same group as the anchor ({group}): expansion within the group into {segment}",
        "supply.group": "in-group supply",
        "warning.anchor_without_segments": "warning: {anchor} lists no segments in firms.csv, so completeness and local supply ratio cannot be computed; fill in its segment ids in the segments column",
        "warning.no_segments_within_depth": "warning: {anchor}'s segments have no FEEDS links in the chain template, so completeness cannot be computed; add them to segment_links.csv",
    },
}

# --- labels of the HTML pages (chaingraph.exports.html): keys "page.*" ----------------------------
# One block, so the page labels read together; they live in TEXT like every other label.
TEXT["zh"].update({
    "page.anchor": "链主",
    "page.local": "本地企业",
    "page.external": "外地企业",
    "page.target": "招商目标",
    "page.gap": "缺",
    "page.gap_node": "缺口环节（本地没有企业）",
    "page.supplies": "供货（线宽=金额）",
    "page.serves": "目标→链主（可服务）",
    "page.region": "地区",
    "page.segments": "环节",
    "page.output": "产值",
    "page.score": "评分",
    "page.reasons": "理由",
    "page.role": "类型",
    "page.value": "金额",
    "page.legend": "图例",
    "page.details": "详情",
    "page.click": "点击节点查看详情。",
    "page.chain_map": "产业链图谱",
    "page.firm_graph": "产业链企业图",
    "page.local_firms": "本地企业",
    "page.local_count": "本地 {n} 家",
    "page.targets": "推荐招商目标",
    "page.anchors": "链主",
    "page.status": "状态",
    "page.more": "另有 {n} 家",
    "page.stage": "阶段",
    "page.feeds": "上下游（供给）",
    "page.shown": "显示 {shown} / {total} 家企业（上限 {cap}）。未显示：{parts}。",
    "page.list_sep": "，",
    "page.left_local": "本地企业 {n} 家",
    "page.left_external": "外地企业 {n} 家",
    "page.left_partner": "链主的直接供应商/客户 {n} 家",
    "page.left_target": "招商目标 {n} 家",
    "page.kept": "保留顺序：链主、招商目标、链主的直接供应商和客户、本地企业（按产值）、外地企业（按产值）。",
    "page.physics_off": "节点较多，已关闭物理模拟；可拖动和缩放。",
    "page.generated": "生成于",
})
TEXT["en"].update({
    "page.anchor": "anchor",
    "page.local": "local firm",
    "page.external": "external firm",
    "page.target": "target",
    "page.gap": "gap",
    "page.gap_node": "gap segment (no local firm)",
    "page.supplies": "supplies (width = value)",
    "page.serves": "target → anchor it would serve",
    "page.region": "region",
    "page.segments": "segments",
    "page.output": "output",
    "page.score": "score",
    "page.reasons": "reasons",
    "page.role": "role",
    "page.value": "value",
    "page.legend": "Legend",
    "page.details": "Details",
    "page.click": "Click a node for details.",
    "page.chain_map": "chain map",
    "page.firm_graph": "chain neighbourhood",
    "page.local_firms": "local firms",
    "page.local_count": "local firms: {n}",
    "page.targets": "top targets",
    "page.anchors": "anchors",
    "page.status": "status",
    "page.more": "{n} more",
    "page.stage": "stage",
    "page.feeds": "feeds (input of)",
    "page.shown": "Showing {shown} of {total} firms (limit {cap}). Left out: {parts}.",
    "page.list_sep": ", ",
    "page.left_local": "{n} local firms",
    "page.left_external": "{n} external firms",
    "page.left_partner": "{n} direct suppliers/customers of the anchor",
    "page.left_target": "{n} targets",
    "page.kept": "Kept first: the anchor, targets, "
                "the anchor's direct suppliers and customers, local firms by output, external firms by output.",
    "page.physics_off": "Many nodes: physics is off; drag and zoom still work.",
    "page.generated": "generated",
})

#: Column headers of tables, by column key.
HEADERS: dict[Lang, dict[str, str]] = {
    "zh": {
        "rank": "排名", "firm_id": "企业编号", "firm": "企业名称", "firm_en": "英文名称", "segment": "环节",
        "segments": "环节", "anchor": "链主", "anchors": "链主", "score": "得分", "reasons": "推荐理由",
        "region": "所在地区", "output_value": "年产值", "credit_code": "统一社会信用代码", "source": "来源",
        "chain": "产业链", "direction": "方向", "distance": "距离", "status": "状态", "action": "建议",
        "local_firms": "本地企业", "suppliers_local": "本地供应商", "suppliers_external": "外地供应商",
        "local_share": "本地占比", "single_source": "单一来源", "gain": "增益", "order": "序号",
        "segment_id": "环节编号", "stage": "阶段", "sheet.targets": "招商目标", "sheet.gaps": "产业链缺口",
        "supplies_anchor": "已供货链主", "supplies_peers": "供货同类企业", "local_ties": "本地关联",
        "gap_severity": "缺口程度", "scale": "规模", "proximity": "距离得分",
        # issue 12
        "suppliers_unconfirmed": "待核实供应商", "suppliers_group": "集团内供应", "sheet.group": "集团内扩产", "relation": "关系",
    },
    "en": {
        "rank": "Rank", "firm_id": "Firm id", "firm": "Firm", "firm_en": "English name", "segment": "Segment",
        "segments": "Segments", "anchor": "Anchor", "anchors": "Anchors", "score": "Score", "reasons": "Reasons",
        "region": "Region", "output_value": "Output value", "credit_code": "Credit code", "source": "Source",
        "chain": "Chain", "direction": "Direction", "distance": "Distance", "status": "Status",
        "action": "Action", "local_firms": "Local firms", "suppliers_local": "Local suppliers",
        "suppliers_external": "External suppliers", "local_share": "Local share",
        "single_source": "Single source", "gain": "Gain", "order": "Order", "segment_id": "Segment id", "stage": "Stage",
        "sheet.targets": "Targets", "sheet.gaps": "Gaps",
        "supplies_anchor": "Supplies anchor", "supplies_peers": "Supplies peers", "local_ties": "Local ties",
        "gap_severity": "Gap severity", "scale": "Scale", "proximity": "Proximity",
        # issue 12
        "suppliers_unconfirmed": "Unconfirmed suppliers", "suppliers_group": "In-group supply", "sheet.group": "Group expansion", "relation": "Relation",
    },
}


def text(key: str, lang: Lang = "zh", **values: Any) -> str:
    """The sentence ``key`` in ``lang`` with its placeholders filled.

    Examples
    --------
    >>> text("reason.supplies_anchor", "zh", anchor="兰钧新能源", segment="电解液")
    '已向兰钧新能源供应电解液'
    >>> text("reason.supplies_anchor", "en", anchor="Lanjun New Energy", segment="electrolyte")
    'already supplies electrolyte to Lanjun New Energy'
    """
    return TEXT[lang][key].format(**values) if values else TEXT[lang][key]


def header(key: str, lang: Lang = "zh") -> str:
    """The column header for ``key`` in ``lang``."""
    return HEADERS[lang][key]


def join(names: Sequence[str], lang: Lang = "zh") -> str:
    """Names joined as a list in ``lang``.

    Examples
    --------
    >>> join(["甲", "乙"], "zh"), join(["A", "B"], "en")
    ('甲、乙', 'A, B')
    """
    return TEXT[lang]["and"].join(names)


def status_label(status: str, lang: Lang = "zh") -> str:
    """``covered``, ``weak`` or ``missing`` in ``lang``."""
    return TEXT[lang][f"status.{status}"]


def action_label(action: str | None, lang: Lang = "zh") -> str:
    """``fill``, ``strengthen`` or ``extend`` in ``lang``; ``""`` for none."""
    return TEXT[lang][f"action.{action}"] if action else ""


def format_money(value: float, lang: Lang = "zh", currency: str = "CNY") -> str:
    """An amount in 亿 (1e8) for Chinese and in billions for English.

    Examples
    --------
    >>> format_money(1.25e10, "zh"), format_money(1.25e10, "en")
    ('125亿元', '12.5 billion CNY')
    """
    if lang == "zh":
        unit = "元" if currency == "CNY" else currency
        return f"{_num(value / 1e8)}亿{unit}"
    return f"{_num(value / 1e9)} billion {currency}"


def _num(x: float) -> str:
    s = f"{x:,.1f}"
    return s[:-2] if s.endswith(".0") else s
