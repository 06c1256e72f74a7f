// The Dataset node(s); there is one in a loaded database and none in an empty one. No parameters.
MATCH (d:Dataset)
RETURN d.name AS name, d.title AS title, d.description AS description, d.licence AS licence,
       d.sources AS sources, d.home_region AS home_region, d.currency AS currency,
       d.source AS source, d.fingerprint AS fingerprint, d.chaingraph_version AS chaingraph_version,
       d.schema_version AS schema_version, d.started_at AS started_at, d.loaded_at AS loaded_at,
       d.complete AS complete, d.firms AS firms, d.links AS links, d.segments AS segments,
       d.segment_links AS segment_links, d.chains AS chains, d.regions AS regions, d.anchors AS anchors
