-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
DO $body$
BEGIN
  PERFORM $$nested; quote$$;
  RAISE NOTICE '$$ in a string;';
END
$body$;
SELECT 1;

-- +downgrade
SELECT 1;
