-- Ünïcödé ✓ message
-- Revision ID: u1
-- +upgrade
INSERT INTO t VALUES ('é;ß');
SELECT '🙂';
