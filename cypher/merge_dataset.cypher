// The one Dataset node: the dataset's metadata (meta, the dataset.toml as JSON) and who
// loaded it. complete stays false until complete_dataset runs, so a load that died halfway
// is detected. Parameters: $name, $title, $home_region, $meta, $source, $fingerprint,
// $chaingraph_version, $schema_version, $started_at
MERGE (d:Dataset {name: $name})
SET d.title = $title,
    d.home_region = $home_region,
    d.meta = $meta,
    d.source = $source,
    d.fingerprint = $fingerprint,
    d.chaingraph_version = $chaingraph_version,
    d.schema_version = $schema_version,
    d.started_at = $started_at,
    d.complete = false
