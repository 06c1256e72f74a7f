// Every project, in file order. No parameters.
MATCH (p:Project)
RETURN p.id AS id, p.name AS name, p.firm AS firm, p.chain AS chain, p.stage AS stage, p.segments AS segments,
       p.anchor AS anchor, p.park AS park, p.lead AS lead, p.contacted AS contacted, p.negotiating AS negotiating,
       p.signed AS signed, p.registered AS registered, p.construction AS construction, p.producing AS producing,
       p.dropped AS dropped, p.drop_reason AS drop_reason, p.investment AS investment,
       p.expected_output AS expected_output, p.owner AS owner, p.source AS source, p.note AS note
ORDER BY p.seq
