-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
INSERT INTO t VALUES (E'it\'s; escaped');
SELECT 2;

-- +downgrade
SELECT 1;
