-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
CREATE FUNCTION f() RETURNS int AS $$
BEGIN
  RETURN 1;
END;
$$ LANGUAGE plpgsql;
SELECT f();

-- +downgrade
SELECT 1;
