-- A transaction that notifies takes one database-wide lock at commit and holds it until its commit
-- record is flushed, so notifying writers commit one at a time, one WAL flush each: under PATCH
-- load that made every durable write wait for all the others (no group commit). The service's own
-- write therefore does not notify inside its transaction: it marks the transaction
-- (me_service.announced_after_commit = on, transaction-local) and announces the change right after
-- the commit, in a transaction of its own that does not wait for a flush (Sql.ANNOUNCE_USER_CHANGE).
-- Every other writer (user set-staff, a hand edit, a data migration, a deletion) is still announced
-- by this trigger inside its transaction.
CREATE OR REPLACE FUNCTION users_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('user_changed', '*');
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('user_changed', OLD.id::text || ':');
  ELSIF current_setting('me_service.announced_after_commit', true) IS DISTINCT FROM 'on' THEN
    PERFORM pg_notify('user_changed', NEW.id::text || ':' || NEW.version);
  END IF;
  RETURN NULL;
END
$$;
