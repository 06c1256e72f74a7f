// The Dataset node(s): one in a loaded database, none in an empty one. No parameters.
MATCH (d:Dataset)
RETURN d.name AS name, d.meta AS meta, d.source AS source, d.fingerprint AS fingerprint,
       d.chaingraph_version AS chaingraph_version, d.schema_version AS schema_version,
       d.started_at AS started_at, d.loaded_at AS loaded_at, d.complete AS complete,
       d.firms AS firms, d.links AS links, d.segments AS segments, d.segment_links AS segment_links,
       d.chains AS chains, d.regions AS regions, d.anchors AS anchors,
       d.firms_done AS firms_done, d.links_done AS links_done
