// Versioned migrations, applied in order, each in its own transaction. Append only:
// a released migration is never edited; a change is a new migration.
import { m001 } from './001_core.js';
import { m002 } from './002_templates.js';
import { m003 } from './003_anomalies.js';
import { m004 } from './004_notifications.js';
import { m005 } from './005_message_span.js';
import { m006 } from './006_records_template_index.js';
import { m007 } from './007_record_counts.js';
import { m008 } from './008_retention_log.js';
import { m009 } from './009_notified_severity.js';
import { m010 } from './010_file_format.js';
import { m011 } from './011_channel_tested.js';
import { m012 } from './012_sql_time.js';
import { m013 } from './013_history_attempts.js';
import { m014 } from './014_template_text.js';
import { m015 } from './015_file_format_backfill.js';

export interface Migration {
  version: number;
  name: string;
  /** SQL run once, inside a transaction. */
  up: string;
}

export const MIGRATIONS: Migration[] = [m001, m002, m003, m004, m005, m006, m007, m008, m009, m010, m011, m012, m013, m014, m015];
