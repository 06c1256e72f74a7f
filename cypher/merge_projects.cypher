// Project nodes (projects.csv), MERGEd on their ids, with their stage, dates and money as properties.
// Parameters: $rows (id, name, firm, chain, stage, segments, anchor, park, lead, contacted, negotiating, signed,
// registered, construction, producing, dropped, drop_reason, investment, expected_output, owner, source, note, seq)
UNWIND $rows AS row
MERGE (p:Project {id: row.id})
SET p.name = row.name, p.firm = row.firm, p.chain = row.chain, p.stage = row.stage, p.segments = row.segments,
    p.anchor = row.anchor, p.park = row.park, p.lead = row.lead, p.contacted = row.contacted,
    p.negotiating = row.negotiating, p.signed = row.signed, p.registered = row.registered,
    p.construction = row.construction, p.producing = row.producing, p.dropped = row.dropped,
    p.drop_reason = row.drop_reason, p.investment = row.investment, p.expected_output = row.expected_output,
    p.owner = row.owner, p.source = row.source, p.note = row.note, p.seq = row.seq
