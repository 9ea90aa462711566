import { pipeline } from 'runnable-ts';
import { total } from '__STEPS__';

// Planted wiring error: nothing returns 'rows' before 'total' needs it.
export default pipeline('bad').step(total).build();
