// The first step of deleting a dataset (after mark_dataset_replacing): up to $limit SUPPLIES
// links. They go before any node: a node's DETACH DELETE takes all its relationships into its
// transaction, and a batch of firms with their links, or one Segment or Region node holding one
// relationship per firm in it, outgrew Neo4j's transaction memory at 100k firms. The store
// repeats this until it returns 0, then runs delete_firms. Parameters: $limit
MATCH ()-[r:SUPPLIES]->()
WITH r LIMIT $limit
DELETE r
RETURN count(r) AS deleted
