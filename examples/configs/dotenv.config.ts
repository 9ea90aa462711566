// Secrets from a .env file instead of the environment.
import { defineConfig } from 'runnable-ts';

export default defineConfig({
  secrets: { type: 'dotenv', config: { location: 'examples/05-secrets/example.env' } },
});
