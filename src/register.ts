/**
 * `require('runnable-ts/register')` / `node -r runnable-ts/register file.ts`: the explicit opt-in that installs the
 * TypeScript loader for the user's own files (see loader.ts). Importing `runnable-ts` never does this.
 */
import { register } from './loader';

register();
