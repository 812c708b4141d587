/** Filled by the foundation: creates a fresh PostgreSQL database per run when DATABASE_URL is set. */
export default function setup(): void {}
