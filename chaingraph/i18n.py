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
           "format_money", "error_text"]

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
        "reason.proximity.coarse": "位置仅知到{precision}一级，距离不计（中性）",
        "precision.coordinates": "坐标", "precision.park": "园区", "precision.town": "镇",
        "precision.county": "县", "precision.city": "市", "precision.province": "省",
        "precision.country": "国家",
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
        "pipeline.more": "……另有 {n} 个未列出；--format json 或 xlsx 列出全部",
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
        # errors that are not ours (cli.reports_errors)
        "error.os": "{path}：{reason}；请检查路径（文件夹不能被文件覆盖）和权限",
        "error.unexpected": "意外错误 {kind}：{detail}（设置 CHAINGRAPH_DEBUG=1 可查看回溯信息；请报告此问题）",
        "export.neo4j_admin": "已写入 {files} 个 neo4j-admin 导入文件（{firms} 家企业，{links} 条供应关系）到 {folder}；"
                              "导入命令见 {readme}：",
        "hint.uri_password": "提示：URI 中的密码会留在命令历史和进程列表里；请改用环境变量 {env}{prompt}",
        "hint.uri_password.prompt": "，或用 --user 在提示时输入",
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
        "reason.proximity.coarse": "located only to {precision} level: distance not counted (neutral)",
        "precision.coordinates": "coordinates", "precision.park": "park", "precision.town": "town",
        "precision.county": "county", "precision.city": "city", "precision.province": "province",
        "precision.country": "country",
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
        "pipeline.more": "... and {n} more; --format json or xlsx lists them all",
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
        "error.os": "{path}: {reason}; check the path (a file cannot replace a folder) and the permissions",
        "error.unexpected": "unexpected {kind}: {detail} (set CHAINGRAPH_DEBUG=1 to see the traceback; "
                            "please report it)",
        "export.neo4j_admin": "wrote {files} neo4j-admin import files ({firms} firms, {links} links) to {folder}; "
                              "the import command, also in {readme}:",
        "hint.uri_password": "hint: a password in the URI stays in shell history and process lists; set {env}{prompt}",
        "hint.uri_password.prompt": ", or pass --user and type it when asked",
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
    "page.anchor_count": "链主 {n} 家",
    "page.targets": "推荐招商目标",
    "page.anchors": "链主",
    "page.status": "状态",
    "page.more": "另有 {n} 家",
    "page.stage": "阶段",
    "page.feeds": "上下游（供给）",
    "page.list_sep": "，",
    "page.left_local": "本地企业 {n} 家",
    "page.left_external": "外地企业 {n} 家",
    "page.left_partner": "链主的直接供应商/客户 {n} 家",
    "page.left_target": "招商目标 {n} 家",
    "page.generated": "生成于",
    "page.aggregate": "聚合节点",
    "page.agg_local": "本地企业 {n} 家 · {segment}",
    "page.agg_external": "外地企业 {n} 家 · {segment}",
    "page.agg_click": "点击展开为单个企业。",
    "page.aggregated": "共 {total} 家企业；单独显示 {shown} 家（上限 {cap}），其余 {parts} 按环节聚合为 {nodes} 个节点（本地、外地分开），点击可展开。单独显示的顺序：链主、招商目标、链主的直接供应商和客户，然后本地、外地企业按{rule}排列。",
    "page.by_output": "产值",
    "page.by_links": "供货关系数（没有企业填写产值）",
    "page.labels_rule": "图上只标注链主、招商目标和较大的企业（按{rule}），且标签互不重叠；其余企业放大或悬停可见名称。",
    "page.confidence": "置信度",
    "page.evidence": "证据",
    "page.links": "供货关系",
    "page.search": "搜索企业（名称、简称、编号，简繁皆可）",
    "page.no_match": "没有找到。",
    "page.filters": "筛选",
    "page.filter_chain": "产业链",
    "page.filter_segment": "环节",
    "page.filter_status": "状态",
    "page.filter_role": "类型",
    "page.all": "全部",
    "page.min_confidence": "证据最低置信度",
    "page.fit": "全图",
    "page.expand": "展开",
    "page.gap_by_anchor": "各链主的缺口",
    "page.band_upstream": "上游",
    "page.band_midstream": "中游",
    "page.band_downstream": "下游",
    "page.chain_anchor": "链主",
    "page.save_png": "保存为 PNG",
    "page.print": "打印（A3 横向）",
    "page.cross_chain": "跨链供给（悬停或选中环节时显示）",
    "page.missing_mark": "缺口（斜线）",
    "page.chains_shown": "显示 {n} 条产业链。",
    "page.firm_map": "企业地图",
    "page.located_own": "企业自身坐标",
    "page.located_region": "所在地区中心（无自身坐标）",
    "page.home_region": "本地（{name}）",
    "page.park": "园区",
    "page.basemap": "底图：{source}。",
    "page.no_basemap": "未附底图（无可用的离线行政区划数据），仅按经纬度绘制。",
    "page.unplaced": "{n} 家企业没有坐标，也没有带坐标的所在地区，未画出。",
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
    "page.anchor_count": "anchors: {n}",
    "page.targets": "top targets",
    "page.anchors": "anchors",
    "page.status": "status",
    "page.more": "{n} more",
    "page.stage": "stage",
    "page.feeds": "feeds (input of)",
    "page.list_sep": ", ",
    "page.left_local": "{n} local firms",
    "page.left_external": "{n} external firms",
    "page.left_partner": "{n} direct suppliers/customers of the anchor",
    "page.left_target": "{n} targets",
    "page.generated": "generated",
    "page.aggregate": "aggregate",
    "page.agg_local": "{n} local firms · {segment}",
    "page.agg_external": "{n} external firms · {segment}",
    "page.agg_click": "Click to expand into single firms.",
    "page.aggregated": "{total} firms; {shown} drawn one by one (limit {cap}), the other {parts} grouped into {nodes} nodes, one per segment and side (local, external); click one to expand it. Drawn one by one first: the anchor, targets, the anchor's direct suppliers and customers, then local and external firms by {rule}.",
    "page.by_output": "output value",
    "page.by_links": "number of supply links (no firm has an output value)",
    "page.labels_rule": "Labels show the anchor, the targets and the largest firms (by {rule}) without overlapping; zoom in or hover for the other names.",
    "page.confidence": "confidence",
    "page.evidence": "evidence",
    "page.links": "supply links",
    "page.search": "Search firms (name, alias, id; any script)",
    "page.no_match": "No match.",
    "page.filters": "Filters",
    "page.filter_chain": "chain",
    "page.filter_segment": "segment",
    "page.filter_status": "status",
    "page.filter_role": "role",
    "page.all": "all",
    "page.min_confidence": "minimum evidence confidence",
    "page.fit": "Fit",
    "page.expand": "expand",
    "page.gap_by_anchor": "gap per anchor",
    "page.band_upstream": "Upstream",
    "page.band_midstream": "Midstream",
    "page.band_downstream": "Downstream",
    "page.chain_anchor": "anchor",
    "page.save_png": "Save as PNG",
    "page.print": "Print (A3 landscape)",
    "page.cross_chain": "feeds across chains (shown on hover or selection)",
    "page.missing_mark": "missing (hatched)",
    "page.chains_shown": "{n} chains shown.",
    "page.firm_map": "firm map",
    "page.located_own": "firm's own coordinates",
    "page.located_region": "its region's centre (no coordinates of its own)",
    "page.home_region": "home region ({name})",
    "page.park": "park",
    "page.basemap": "Basemap: {source}.",
    "page.no_basemap": "No basemap (no offline boundary data available); drawn by latitude and longitude only.",
    "page.unplaced": "{n} firms have no coordinates and no located region; not drawn.",
})

# --- snapshots (chaingraph load SOURCE --to NAME.chaingraph) --------------------------------------------
TEXT["zh"]["snapshot.written"] = "已将 {source} 保存为快照 {path}：{firms} 家企业，{links} 条供货关系（{seconds:.1f} 秒）"
TEXT["en"]["snapshot.written"] = "saved {source} as the snapshot {path}: {firms} firms, {links} links ({seconds:.1f} s)"

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
    """An amount in the user's units: 亿元 or 万元 in Chinese, whole units with thousands separators in English.

    A currency other than CNY keeps its code in both languages.

    Examples
    --------
    >>> format_money(4.525e9, "zh"), format_money(1.25e10, "zh"), format_money(3.5e7, "zh")
    ('45.25亿元', '125亿元', '3,500万元')
    >>> format_money(4.525e9, "en"), format_money(800, "zh")
    ('CNY 4,525,000,000', '800元')
    """
    if lang == "zh":
        unit = "元" if currency == "CNY" else f" {currency}"
        for scale, name in ((1e8, "亿"), (1e4, "万")):
            if abs(value) >= scale:
                return f"{_num(value / scale)}{name}{unit}"
        return f"{_num(value)}{unit}"
    return f"{currency} {value:,.0f}"


def _num(x: float) -> str:
    s = f"{x:,.2f}".rstrip("0").rstrip(".")
    return s


# -- the command line, files and the workbook (issue 13) ------------------------------------------
# Kept in one block so that other work on this module merges cleanly.

_CLI_TEXT: dict[Lang, dict[str, str]] = {
    "zh": {
        "cli.error": "错误：{message}",
        "cli.usage_error": "错误：{message}",
        "cli.try_help": "运行 '{command} -h' 查看帮助。",
        "cli.usage": "用法：",
        "cli.aborted": "已中止。",
        "cli.problems": "发现{n}个问题，未加载任何数据",
        "cli.wrote": "已写入 {path}",
        "cli.open_first": "请先打开 {path}，再打开 {page}",
        "progress.reading": "读取",
        "progress.validating": "校验",
        "progress.loading": "加载",
        "progress.ranking": "排序",
        "progress.planning": "规划",
        "progress.generating": "生成",
        "progress.writing": "写入",
        # validate, info, generate, load, html
        "validate.ok": "{source}：校验通过（{counts}）",
        "quality.invalid": "{file} 的 {column} 列有{n}个错误（数据无法加载）",
        "quality.duplicate_name": "{n}家企业的名称规范化后与另一家相同（可能重复录入）",
        "quality.anchor_without_segments": "{n}家链主没有填写环节（完整度无法计算）",
        "quality.anchor_without_suppliers": "{n}家链主没有任何供应商链接",
        "quality.firm_without_segments": "{n}家企业没有填写环节（不会出现在任何缺口或目标中）",
        "quality.segment_without_firm": "{n}个环节没有任何企业",
        "quality.feeds_over_one": "{n}个环节的上游 FEEDS 权重合计超过1",
        "quality.weak_evidence": "{n}条链接（共{links}条中的{share}）为推断、示意或可信度低于0.5",
        "quality.link_without_value": "{n}条链接没有金额（本地占比按链接数计算）",
        "quality.coarse_location": "{n}家企业的位置仅知到省或国家一级（距离不计，邻近度取中性值）",
        "quality.trailing_empty_rows": "{file} 末尾有{n}个空行（Excel 留下的），已跳过",
        "quality.summary": "{source}：{errors}个错误，{warnings}个警告，{notes}个提示",
        "quality.none": "未发现问题",
        "quality.link_evidence": "（{evidence}，可信度{confidence}）",
        "quality.more": "……另有{n}处",
        "quality.title": "数据质量报告",
        "quality.severity.error": "错误", "quality.severity.warning": "警告", "quality.severity.note": "提示",
        "quality.column.code": "代码", "quality.column.severity": "级别", "quality.column.count": "数量",
        "quality.column.message": "说明", "quality.column.examples": "示例",
        "info.warnings": "数据质量：{n}个警告，运行 chaingraph validate {source} 查看",
        "count.firms": "企业{n}家", "count.links": "供应关系{n}条", "count.segments": "环节{n}个",
        "count.segment_links": "环节关系{n}条", "count.chains": "产业链{n}条", "count.regions": "地区{n}个",
        "count.anchors": "链主{n}家",
        "info.title": "{title}（{name}），来源：{source}",
        "info.home": "本地区域：{region}（{id}）",
        "info.counts": "数量：{counts}",
        "info.chains": "产业链（{n}条）：",
        "info.chain": "  {id}：{name}（{n}个环节）",
        "info.anchors": "链主（{n}家）：",
        "info.anchor": "  {id}：{name}，{region}，环节：{segments}",
        "info.regions": "地区（{n}个）：{levels}",
        "level.country": "国家", "level.province": "省", "level.city": "市", "level.county": "县",
        "level.town": "镇", "level.park": "园区", "level.?": "未知",
        "generate.wrote": "已生成 {name}，写入 {path}（本地区域 {home}）",
        "generate.counts": "企业{firms}家（链主{anchors}家，本地{local}家），供应关系{links}条，产业链{chains}条，"
                           "环节{segments}个，环节关系{segment_links}条，地区{regions}个，项目{projects}个（截至{as_of}）",
        "generate.size": "{files}个文件共{mb} MB，用时{seconds}秒",
        "load.done": "已将 {name} 加载到 {uri}：企业{firms}家，供应关系{links}条，环节{segments}个，产业链{chains}条，"
                     "地区{regions}个，链主{anchors}家",
        "load.speed": "{rows}行，用时{seconds}秒：每秒{rate}行",
        "load.password": "{user}的密码",
        "html.wrote": "已写入 {path}：企业{firms}家，节点{nodes}个，连线{edges}条",
        "report.wrote": "已写入 {path}：目标{targets}家，缺口{gaps}个，计划{picks}家",
        # demo summary
        "demo.title": "{region}招商演示",
        "demo.anchor": "{anchor}：完整度{completeness}；主要缺口：{gaps}",
        "demo.targets": "前五家招商目标：",
        "demo.target": "  {rank}. {firm}：{reason}",
        "demo.plan": "招商计划（{n}家）：{picks}",
        "demo.files": "共写入{n}个文件到 {folder}",
        # errors raised by the jobs and the CLI
        "error.output_dir": "无法写入 {path}：这是一个文件夹；请在 -o 后给出文件名，例如 {example}",
        "error.output_denied": "无法写入 {path}（没有权限）；请换一个可写的位置",
        "error.output_failed": "无法写入 {path}（{reason}）；请检查路径",
        "error.snapshot_unusable": "快照 {path} 无法使用：{reason}；"
                                   "请重新运行 chaingraph load 数据集文件夹 --to {path}",
        "error.snapshot_target": "--to {target!r}：请给出数据库地址（neo4j://、bolt://、falkordb://……）"
                                 "或以 .chaingraph 结尾的快照文件夹",
        "error.snapshot_exists": "{target} 已存在且不是 chaingraph 快照；"
                                 "请换一个以 .chaingraph 结尾的新路径，或先删除它",
        "error.xlsx_needs_output": "--format xlsx 会写入文件；请用 -o 指定，例如 -o {example}",
        "error.html_needs_output": "--format html 会写入文件；请用 -o 指定，例如 -o {example}",
        "error.html_needs_anchor": "请给出 --anchor 企业，或使用 --chain-map 或 --map",
        "error.no_home_region": "数据集没有 home_region；请用 --region 指定 regions.csv 中的地区编号",
        "error.unknown_region_close": "没有编号为 {region!r} 的地区；您是否要找：{close}",
        "error.unknown_region": "没有编号为 {region!r} 的地区；请使用 regions.csv 中的地区编号（见 'chaingraph info SOURCE'）",
        "error.no_anchors": "地区 {region} 没有链主企业；请在 firms.csv 中标记 anchor=true，或用 --anchor 指定",
        "error.depth": "深度为 {depth}；请给出大于等于0的 FEEDS 步数",
        "error.profile": "无法读取权重文件 {path}：{reason}；请检查路径",
        "error.quota": "配额 {part!r} 的格式不是 产业链=K（K为大于等于0的整数）；例如 --quota li=10",
        "error.unknown_chain": "没有编号为 {chain!r} 的产业链；可用：{chains}",
        "error.demo_missing": "演示数据集 {path} 不存在；请在 chaingraph 源码目录中运行，或用 --source 指定文件夹",
        "error.no_anchor_given": "没有给出链主；请用 --anchor 编号（见 'chaingraph info SOURCE'），或使用 --chain-map",
        "error.table_suffix": "无法把表格写入 {path}：文件名必须以 .csv 或 .xlsx 结尾",
        "error.unknown_firm": "没有编号或名称为 {name!r} 的企业；运行 'chaingraph info SOURCE' 查看链主，或检查 firms.csv 中的编号",
        "error.unknown_firm.close": "没有编号或名称为 {name!r} 的企业；您是否要找：{matches}",
        "error.bad_count": "无法识别企业数量 {value!r}；请写成 2000、10k 或 1m",
        "error.encoding": "未知的输出编码 {name!r}；请使用 utf-8 或 gb18030",
        "error.budget": "预算为 {budget}；请给出大于等于0的目标家数",
        "error.quotas_over_budget": "配额合计 {total} 家，超过预算 {budget} 家；请提高 --budget 或降低 --quota",
        # click's usage errors, as far as they can be recognised
        "usage.missing_argument": "缺少参数 {name}。",
        "usage.missing_option": "缺少选项 {name}。",
        "usage.no_such_option": "没有这个选项：{name}",
        "usage.no_such_command": "没有这个命令 {name}。",
        "usage.invalid_value": "{name} 的值无效：{detail}",
        "usage.did_you_mean": "您是否要找 {names}？",
        # the workbook
        "sheet.targets": "目标清单", "sheet.gaps": "缺口", "sheet.plan": "招商计划", "sheet.chains": "产业链图谱",
        "sheet.groups": "集团内扩产", "sheet.about": "说明",
        "about.title": "{name}招商报告",
        "about.dataset": "数据集", "about.fingerprint": "数据指纹", "about.date": "生成日期",
        "about.region": "本地区域", "about.weights": "评分权重", "about.quality": "数据质量",
        "about.columns": "各列含义", "about.version": "chaingraph 版本",
        "about.column": "列", "about.meaning": "含义",
        "plan.summary": "{anchor}：完整度 {before} → {after}，缺失 {missing_before} → {missing_after}，"
                        "薄弱 {weak_before} → {weak_after}",
        "plan.objective": "计划共补上缺口权重 {objective}（总缺口权重 {total}）",
        "plan.quota": "配额",
        "unit.yi": "亿元", "unit.money": "亿元",
        "column.rank": "按得分排序的名次（得分相同按企业编号）",
        "column.firm": "企业名称", "column.firm_id": "数据集中的企业编号（命令行可用）",
        "column.credit_code": "统一社会信用代码", "column.region": "企业所在地区",
        "column.segments": "该企业能补上的缺口环节", "column.anchors": "这些缺口所属的链主企业",
        "column.score": "综合得分（0–100%），为下列六项得分按权重的加权和",
        "column.supplies_anchor": "已向链主供货的程度", "column.supplies_peers": "向同类企业供货的程度",
        "column.local_ties": "与本地企业已有供货往来的程度", "column.gap_severity": "所补缺口的严重程度（缺失高于薄弱）",
        "column.scale": "企业规模（年产值）", "column.proximity": "与链主的距离（越近越高）",
        "column.evidence": "企业信息的来源", "column.reasons": "推荐理由，每条对应一项得分",
        "column.output": "年产值，单位亿元", "column.status": "缺失：本地无企业；薄弱：本地企业少或本地供货占比低；已覆盖",
        "column.action": "补链、强链或延链", "column.local_share": "链主该环节采购中来自本地的比例",
        "column.gain": "该企业落户后补上的缺口权重（同一环节第二家减半）", "column.order": "计划中的挑选顺序",
        "column.direction": "相对链主的位置：本环节、上游或下游", "column.distance": "与链主环节相隔的步数",
        "column.local_firms": "本地该环节的企业", "column.single_source": "链主该环节只有一家供应商",
        "column.stage": "上游、中游或下游",
        "quality.firms": "企业数", "quality.links": "供应关系数", "quality.segments": "环节数",
        "quality.segment_links": "环节关系数", "quality.chains": "产业链数", "quality.regions": "地区数",
        "quality.anchors": "链主数", "quality.missing_output_value": "缺少年产值的企业",
        "quality.missing_credit_code": "缺少统一社会信用代码的企业", "quality.missing_source": "缺少来源的企业",
    },
    "en": {
        "cli.error": "Error: {message}",
        "cli.usage_error": "Error: {message}",
        "cli.try_help": "Try '{command} -h' for help.",
        "cli.usage": "Usage: ",
        "cli.aborted": "Aborted!",
        "cli.problems": "{n} problem{s} found; nothing was loaded",
        "cli.wrote": "wrote {path}",
        "cli.open_first": "open {path} first, then {page}",
        "progress.reading": "reading",
        "progress.validating": "validating",
        "progress.loading": "loading",
        "progress.ranking": "ranking",
        "progress.planning": "planning",
        "progress.generating": "generating",
        "progress.writing": "writing",
        "validate.ok": "{source}: OK ({counts})",
        "quality.invalid": "{n} error(s) in {file}, column {column} (the data cannot be loaded)",
        "quality.duplicate_name": "{n} firm(s) whose normalised name equals another firm's (entered twice?)",
        "quality.anchor_without_segments": "{n} anchor(s) without segments (no completeness can be computed)",
        "quality.anchor_without_suppliers": "{n} anchor(s) without any supplier link",
        "quality.firm_without_segments": "{n} firm(s) without segments (never in a gap or a target list)",
        "quality.segment_without_firm": "{n} segment(s) that no firm makes",
        "quality.feeds_over_one": "{n} segment(s) whose input FEEDS weights sum above 1",
        "quality.weak_evidence": "{n} link(s) ({share} of {links}) derived, illustrative or less sure than 0.5",
        "quality.link_without_value": "{n} link(s) without a value (local shares count links instead)",
        "quality.coarse_location": "{n} firm(s) located only at province or country level (proximity neutral)",
        "quality.trailing_empty_rows": "{n} empty row(s) at the end of {file} (left by Excel), skipped",
        "quality.summary": "{source}: {errors} error(s), {warnings} warning(s), {notes} note(s)",
        "quality.none": "no problems found",
        "quality.link_evidence": " ({evidence}, confidence {confidence})",
        "quality.more": "... and {n} more",
        "quality.title": "Data-quality report",
        "quality.severity.error": "error", "quality.severity.warning": "warning", "quality.severity.note": "note",
        "quality.column.code": "code", "quality.column.severity": "severity", "quality.column.count": "count",
        "quality.column.message": "message", "quality.column.examples": "examples",
        "info.warnings": "data quality: {n} warning(s); run chaingraph validate {source} to see them",
        "count.firms": "{n} firms", "count.links": "{n} links", "count.segments": "{n} segments",
        "count.segment_links": "{n} segment links", "count.chains": "{n} chains", "count.regions": "{n} regions",
        "count.anchors": "{n} anchors",
        "info.title": "{title} ({name}) from {source}",
        "info.home": "home region: {region} ({id})",
        "info.counts": "counts: {counts}",
        "info.chains": "chains ({n}):",
        "info.chain": "  {id}: {name} ({n} segments)",
        "info.anchors": "anchors ({n}):",
        "info.anchor": "  {id}: {name}, {region}, segments {segments}",
        "info.regions": "regions ({n}): {levels}",
        "level.country": "country", "level.province": "province", "level.city": "city", "level.county": "county",
        "level.town": "town", "level.park": "park", "level.?": "unknown",
        "generate.wrote": "wrote {name} to {path} (home region {home})",
        "generate.counts": "firms {firms} ({anchors} anchors, {local} local), links {links}, chains {chains}, "
                           "segments {segments}, segment links {segment_links}, regions {regions}, "
                           "projects {projects} (as of {as_of})",
        "generate.size": "{mb} MB in {files} files, {seconds} s",
        "load.done": "loaded {name} into {uri}: {firms} firms, {links} links, {segments} segments, {chains} chains, "
                     "{regions} regions, {anchors} anchors",
        "load.speed": "{rows} rows in {seconds} s: {rate} rows/s",
        "load.password": "password for {user}",
        "html.wrote": "wrote {path}: {firms} firms, {nodes} nodes, {edges} edges",
        "report.wrote": "wrote {path}: {targets} targets, {gaps} gaps, {picks} picks",
        "demo.title": "Recruitment demo for {region}",
        "demo.anchor": "{anchor}: completeness {completeness}; main gaps: {gaps}",
        "demo.targets": "Top five targets:",
        "demo.target": "  {rank}. {firm}: {reason}",
        "demo.plan": "Plan ({n} picks): {picks}",
        "demo.files": "{n} files written to {folder}",
        "error.output_dir": "cannot write {path}: it is a folder; give a file name after -o, e.g. {example}",
        "error.output_denied": "cannot write {path} (permission denied); choose a folder you can write to",
        "error.output_failed": "cannot write {path} ({reason}); check the path",
        "error.snapshot_unusable": "the snapshot {path} cannot be used: {reason}; "
                                   "run chaingraph load DATASET_FOLDER --to {path} again",
        "error.snapshot_target": "--to {target!r}: give a database URI (neo4j://, bolt://, falkordb://...) "
                                 "or a snapshot folder ending in .chaingraph",
        "error.snapshot_exists": "{target} exists and is not a chaingraph snapshot; "
                                 "give a new path (ending in .chaingraph) or delete it",
        "error.xlsx_needs_output": "--format xlsx writes a file; give it with -o {example}",
        "error.html_needs_output": "--format html writes a file; give it with -o {example}",
        "error.html_needs_anchor": "pass --anchor FIRM, --chain-map or --map",
        "error.no_home_region": "the dataset has no home_region; pass --region with a region id from regions.csv",
        "error.unknown_region_close": "no region with id {region!r}; did you mean: {close}",
        "error.unknown_region": "no region with id {region!r}; pass a region id from regions.csv "
                                "(see 'chaingraph info SOURCE')",
        "error.no_anchors": "no anchor firms in region {region}; mark them with anchor=true in firms.csv "
                            "or name one with --anchor",
        "error.depth": "depth is {depth}; give a number of FEEDS steps >= 0",
        "error.profile": "cannot read the weights profile {path}: {reason}; check the path",
        "error.quota": "quota {part!r} is not chain=K with K a whole number >= 0; write e.g. --quota li=10",
        "error.unknown_chain": "no chain with id {chain!r}; use one of: {chains}",
        "error.demo_missing": "the demo dataset {path} is missing; run from a chaingraph checkout or pass "
                              "--source FOLDER",
        "error.no_anchor_given": "no anchor given; pass --anchor ID (see 'chaingraph info SOURCE') or --chain-map",
        "error.table_suffix": "cannot write a table to {path}: the name must end in .csv or .xlsx",
        "error.unknown_firm": "no firm with id or name {name!r}; run 'chaingraph info SOURCE' to list anchors, "
                              "or check the id in firms.csv",
        "error.unknown_firm.close": "no firm with id or name {name!r}; did you mean: {matches}",
        "error.bad_count": "cannot read the number of firms {value!r}; write it as 2000, 10k or 1m",
        "error.encoding": "unknown output encoding {name!r}; use utf-8 or gb18030",
        "error.budget": "budget is {budget}; give a number of targets >= 0",
        "error.quotas_over_budget": "the quotas add up to {total}, more than the budget of {budget}; "
                                    "raise --budget or lower a --quota",
        "usage.missing_argument": "Missing argument {name}.",
        "usage.missing_option": "Missing option {name}.",
        "usage.no_such_option": "No such option: {name}",
        "usage.no_such_command": "No such command {name}.",
        "usage.invalid_value": "Invalid value for {name}: {detail}",
        "usage.did_you_mean": "Did you mean {names}?",
        "sheet.targets": "Targets", "sheet.gaps": "Gaps", "sheet.plan": "Plan", "sheet.chains": "Chain map",
        "sheet.groups": "Group expansion", "sheet.about": "About",
        "about.title": "Recruitment report: {name}",
        "about.dataset": "Dataset", "about.fingerprint": "Fingerprint", "about.date": "Date",
        "about.region": "Home region", "about.weights": "Score weights", "about.quality": "Data quality",
        "about.columns": "What each column means", "about.version": "chaingraph version",
        "about.column": "Column", "about.meaning": "Meaning",
        "plan.summary": "{anchor}: completeness {before} → {after}, missing {missing_before} → {missing_after}, "
                        "weak {weak_before} → {weak_after}",
        "plan.objective": "the plan closes gap weight {objective} (of {total})",
        "plan.quota": "Quota",
        "unit.yi": "100M CNY", "unit.money": "CNY",
        "column.rank": "rank by score (ties by firm id)",
        "column.firm": "firm name", "column.firm_id": "the firm's id in the dataset (usable on the command line)",
        "column.credit_code": "unified social credit code", "column.region": "where the firm is",
        "column.segments": "the gap segments the firm would fill", "column.anchors": "the anchors whose gaps these are",
        "column.score": "total score (0-100%), the weighted sum of the six components below",
        "column.supplies_anchor": "how much it already supplies the anchors",
        "column.supplies_peers": "how much it supplies firms like the anchors",
        "column.local_ties": "how much it already trades with local firms",
        "column.gap_severity": "how severe the gaps it fills are (missing above weak)",
        "column.scale": "size (annual output)", "column.proximity": "closeness to the anchors",
        "column.evidence": "where the firm's data comes from", "column.reasons": "one sentence per score component",
        "column.output": "annual output", "column.status": "missing: no local firm; weak: few local firms or "
                                                           "little local supply; covered",
        "column.action": "fill, strengthen or extend", "column.local_share": "local share of the anchor's supply",
        "column.gain": "gap weight the pick closes (a second pick in a segment counts half)",
        "column.order": "order of the pick", "column.direction": "own, upstream or downstream of the anchor",
        "column.distance": "steps from the anchor's segments", "column.local_firms": "local firms of the segment",
        "column.single_source": "the anchor has one supplier for the segment", "column.stage": "up-, mid- or downstream",
        "quality.firms": "firms", "quality.links": "supplier links", "quality.segments": "segments",
        "quality.segment_links": "segment links", "quality.chains": "chains", "quality.regions": "regions",
        "quality.anchors": "anchors", "quality.missing_output_value": "firms without output value",
        "quality.missing_credit_code": "firms without a credit code", "quality.missing_source": "firms without a source",
    },
}

_CLI_HEADERS: dict[Lang, dict[str, str]] = {
    "zh": {
        "chain_id": "产业链编号", "anchor_id": "链主编号", "region_id": "地区编号", "score_pct": "得分",
        "evidence": "依据", "output_yi": "年产值（亿元）", "quota": "配额", "picks": "已选", "before": "之前",
        "after": "之后", "completeness": "完整度", "missing": "缺失", "weak": "薄弱", "covered": "已覆盖",
        "chain_name": "产业链", "members": "集团成员", "group": "集团", "metric": "指标",
        "links_in": "供货链主", "links_out": "本地关联数",
    },
    "en": {
        "chain_id": "Chain id", "anchor_id": "Anchor id", "region_id": "Region id", "score_pct": "Score",
        "evidence": "Evidence", "output_yi": "Output (100M CNY)", "quota": "Quota", "picks": "Picked",
        "before": "Before", "after": "After", "completeness": "Completeness", "missing": "Missing",
        "weak": "Weak", "covered": "Covered", "chain_name": "Chain", "members": "Group members", "group": "Group",
        "metric": "Metric", "links_in": "Supplies anchors", "links_out": "Local ties",
    },
}

for _lang_key in LANGS:
    TEXT[_lang_key].update(_CLI_TEXT[_lang_key])
    HEADERS[_lang_key].update(_CLI_HEADERS[_lang_key])


def error_text(exc: BaseException, lang: Lang = "zh") -> str:
    """The message of a :class:`~chaingraph.errors.ChainGraphError` in ``lang``.

    Errors raised with a ``key`` are said in ``lang``; others keep the English
    message they were raised with.

    Examples
    --------
    >>> from chaingraph.errors import UnknownRegionError
    >>> error_text(UnknownRegionError("zz"), "zh").split("；")[0]
    "没有编号为 'zz' 的地区"
    """
    key = getattr(exc, "key", "")
    if key and key in TEXT[lang]:
        try:
            return text(key, lang, **getattr(exc, "values", {}))
        except (KeyError, IndexError, ValueError):
            pass
    return str(exc)


# -- the group-expansion sheet of the workbook ---------------------------------------------------------------
TEXT["zh"]["group.header"] = "所属集团"
TEXT["en"]["group.header"] = "Group"

# -- the pipeline sheets of the workbook (issue 18): 招商进度 and 项目台账 --------------------------------------
TEXT["zh"].update({
    "sheet.progress": "招商进度", "sheet.ledger": "项目台账",
    "ledger.project_id": "项目编号", "ledger.project": "项目名称", "ledger.park": "园区",
    "ledger.days": "本阶段天数", "ledger.stalled": "是否停滞", "ledger.yes": "是",
    "ledger.investment": "总投资", "ledger.expected_output": "达产产值", "ledger.date": "{stage}日期",
    "ledger.drop_reason": "终止原因", "ledger.note": "备注", "ledger.total": "合计", "ledger.basis": "口径",
    "ledger.quota.met": "已完成", "ledger.quota.short": "未完成", "ledger.quota.uncounted": "无法统计",
    "ledger.more": " 等，共 {n} 个", "pipeline.col.park": "园区", "ledger.quota_in": "{scope}：{quota}",
    "column.project_stage": "截至报告日项目所处阶段（日期晚于报告日的阶段不计）",
    "column.days_in_stage": "在当前阶段已停留的天数（线索、接洽、在谈从最近一次接触算起；只知月份时从月末算起）",
    "column.stalled": "超过该阶段时限（dataset.toml [pipeline]）仍未进入下一阶段",
    "column.investment": "项目总投资", "column.expected_output": "达产后年产值",
    "column.project_segments": "项目所属环节",
})
TEXT["en"].update({
    "sheet.progress": "Pipeline progress", "sheet.ledger": "Project ledger",
    "ledger.project_id": "Project id", "ledger.project": "Project", "ledger.park": "Park",
    "ledger.days": "Days in stage", "ledger.stalled": "Stalled", "ledger.yes": "yes",
    "ledger.investment": "Investment", "ledger.expected_output": "Expected output", "ledger.date": "{stage} date",
    "ledger.drop_reason": "Drop reason", "ledger.note": "Note", "ledger.total": "Total", "ledger.basis": "Basis",
    "ledger.quota.met": "met", "ledger.quota.short": "not met", "ledger.quota.uncounted": "cannot be counted",
    "ledger.more": " ... ({n} in all)", "pipeline.col.park": "Park", "ledger.quota_in": "{scope}: {quota}",
    "column.project_stage": "the project's stage on the report's day (stages dated later do not count)",
    "column.days_in_stage": "days in the current stage (leads: since the latest contact; a month-only date counts "
                            "from the month's end)",
    "column.stalled": "past the stage's limit (dataset.toml [pipeline]) without reaching the next stage",
    "column.investment": "total investment of the project", "column.expected_output": "annual output at full capacity",
    "column.project_segments": "the segments the project makes",
})
