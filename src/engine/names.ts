/** Word lists for generated run ids (`<adjective>-<surname>-<suffix>`). Lowercase ASCII only. */

export const ADJECTIVES: readonly string[] = [
  'able', 'agile', 'airy', 'amber', 'ample', 'amused', 'azure', 'balmy', 'beaming', 'blithe',
  'bold', 'brave', 'breezy', 'bright', 'brisk', 'bubbly', 'buoyant', 'calm', 'candid', 'capable',
  'careful', 'casual', 'cheerful', 'civil', 'clever', 'cosmic', 'cozy', 'crisp', 'curious', 'dapper',
  'daring', 'dazzling', 'deft', 'devoted', 'eager', 'earnest', 'easy', 'elated', 'elegant', 'epic',
  'exact', 'fair', 'fancy', 'fearless', 'festive', 'fluent', 'focused', 'fond', 'frank', 'fresh',
  'friendly', 'frosty', 'gentle', 'genuine', 'giddy', 'glad', 'gleaming', 'golden', 'graceful', 'grand',
  'happy', 'hardy', 'hearty', 'helpful', 'honest', 'hopeful', 'humble', 'jolly', 'jovial', 'joyful',
  'keen', 'kind', 'lively', 'loyal', 'lucid', 'lucky', 'mellow', 'merry', 'mighty', 'modest',
  'neat', 'nimble', 'noble', 'patient', 'peaceful', 'plucky', 'polite', 'proud', 'quick', 'quiet',
  'radiant', 'rapid', 'ready', 'regal', 'robust', 'rosy', 'serene', 'sharp', 'shiny', 'silver',
  'sincere', 'smart', 'snappy', 'snug', 'solid', 'spry', 'steady', 'stellar', 'sturdy', 'sunny',
  'superb', 'swift', 'tender', 'tidy', 'tranquil', 'trusty', 'upbeat', 'valiant', 'vibrant', 'vivid',
  'warm', 'wise', 'witty', 'zesty',
];

export const SURNAMES: readonly string[] = [
  'abel', 'ampere', 'archimedes', 'avogadro', 'babbage', 'banach', 'becquerel', 'bernoulli', 'bohr', 'boole',
  'bose', 'boyle', 'brahe', 'brunel', 'cantor', 'carson', 'cauchy', 'cavendish', 'cerf', 'chadwick',
  'chandrasekhar', 'chebyshev', 'copernicus', 'curie', 'dalton', 'darwin', 'dedekind', 'descartes', 'dijkstra', 'dirac',
  'einstein', 'elion', 'erdos', 'euclid', 'euler', 'faraday', 'fermat', 'fermi', 'feynman', 'fibonacci',
  'fleming', 'fourier', 'franklin', 'galilei', 'galois', 'gauss', 'goddard', 'godel', 'goodall', 'hamilton',
  'hamming', 'hawking', 'heisenberg', 'herschel', 'hilbert', 'hodgkin', 'hooke', 'hopper', 'hubble', 'huygens',
  'hypatia', 'jacobi', 'johnson', 'joule', 'kelvin', 'kepler', 'khayyam', 'knuth', 'kolmogorov', 'kovalevskaya',
  'lagrange', 'lamarr', 'laplace', 'lavoisier', 'leavitt', 'leibniz', 'liskov', 'lovelace', 'maxwell', 'mcclintock',
  'meitner', 'mendel', 'mendeleev', 'napier', 'noether', 'nyquist', 'ohm', 'pascal', 'pasteur', 'pauli',
  'planck', 'poincare', 'ramanujan', 'raman', 'riemann', 'rubin', 'rutherford', 'salk', 'shannon', 'tesla',
  'turing', 'volta', 'wiener', 'wiles', 'yalow', 'yukawa',
];
