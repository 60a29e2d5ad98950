export const FIRST_NAMES = [
  'Ada', 'Alan', 'Amara', 'Ana', 'Aron', 'Beatriz', 'Bruno', 'Carla', 'Chen', 'Dara', 'David', 'Elena', 'Emil', 'Farah', 'Felix',
  'Grace', 'Hana', 'Hugo', 'Ines', 'Ivan', 'Jonas', 'Julia', 'Kai', 'Karin', 'Leila', 'Leo', 'Lucia', 'Marco', 'Maya', 'Mateo',
  'Nadia', 'Nils', 'Noor', 'Olga', 'Omar', 'Paula', 'Pedro', 'Priya', 'Rafael', 'Rosa', 'Sami', 'Sara', 'Tomas', 'Uma', 'Vera',
  'Victor', 'Wen', 'Yara', 'Yusuf', 'Zoe',
] as const;

export const LAST_NAMES = [
  'Almeida', 'Bauer', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Hansen', 'Ito', 'Jensen', 'Kowalski', 'Lopez', 'Moreau',
  'Nakamura', 'Novak', 'Okafor', 'Petrov', 'Quinn', 'Rossi', 'Silva', 'Tanaka', 'Ueda', 'Vargas', 'Weber', 'Xu', 'Yilmaz', 'Zhang',
] as const;

export const SPECIALTIES = ['General practice', 'Cardiology', 'Dermatology', 'Paediatrics', 'Orthopaedics', 'Neurology', 'Psychiatry', 'Gynaecology'] as const;

export const VISIT_REASONS = ['Check-up', 'Follow-up', 'Blood test results', 'Persistent cough', 'Back pain', 'Vaccination', 'Skin rash', 'Headaches', 'Prescription renewal', 'Knee injury'] as const;

/** 'Beatriz' → 'beatriz': usernames are lowercase ASCII. */
export function slug(name: string): string {
  return name.toLowerCase().normalize('NFD').replace(/[^a-z0-9]/g, '');
}
