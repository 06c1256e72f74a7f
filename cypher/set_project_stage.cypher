// Sets one project's stage, all its stage dates and its drop reason (the store checks them first).
// Parameters: $id, $stage, $lead, $contacted, $negotiating, $signed, $registered, $construction, $producing,
// $dropped, $drop_reason
MATCH (p:Project {id: $id})
SET p.stage = $stage, p.lead = $lead, p.contacted = $contacted, p.negotiating = $negotiating,
    p.signed = $signed, p.registered = $registered, p.construction = $construction, p.producing = $producing,
    p.dropped = $dropped, p.drop_reason = $drop_reason
RETURN p.id AS id
