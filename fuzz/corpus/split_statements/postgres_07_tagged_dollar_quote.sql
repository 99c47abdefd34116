DO $body$
BEGIN
  PERFORM $$nested; quote$$;
  RAISE NOTICE '$$ in a string;';
END
$body$;
SELECT 1;
