-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
/* outer /* inner; */ still comment; */
SELECT 1;

-- +downgrade
SELECT 1;
