import { pipeline } from 'runnable-ts';
import { Load, total } from '__STEPS__';

export default pipeline('consumer').params<{ factor?: number }>().step(Load).step(total).build();
